// What the member's challenge pages ask the hub. The member is identified by the signed link the
// organisation's app issued (app, member, expires, sig in the page's query string); every call
// passes those four parameters on unchanged, and the hub checks them.

export interface MemberLinkParams {
  app: string;
  member: string;
  expires: string;
  sig: string;
}

export interface ChallengeInfo {
  id: string;
  name: string;
  description: string;
  startDate: string; // YYYY-MM-DD
  endDate: string;
  dailyCap: number;
  qualifySteps: number;
  milestones: number[];
  teamLevel: string;
}

export interface MemberSummary {
  challenge: ChallengeInfo;
  memberName: string;
  orgName: string;
  today: { date: string; steps: number };
  totalSteps: number; // counted (capped) steps
  qualifyingDays: number;
  currentStreak: number;
  longestStreak: number;
  milestonesReached: number[];
  days: { date: string; steps: number }[];
  rank: number | null; // among individuals by total
  participants: number | null;
}

export interface BoardRow {
  rank: number;
  id: string;
  name: string;
  org: string;
  score: number;
  me: boolean;
}

export interface Board {
  rows: BoardRow[];
  total: number | null;
}

export type Json = Record<string, unknown>;

export function linkParams(search: string): MemberLinkParams | null {
  const q = new URLSearchParams(search);
  const p = { app: q.get('app') ?? '', member: q.get('member') ?? '', expires: q.get('expires') ?? '', sig: q.get('sig') ?? '' };
  return p.app && p.member && p.expires && p.sig ? p : null;
}

export function linkQuery(p: MemberLinkParams, extra: Record<string, string | number> = {}): string {
  const q = new URLSearchParams({ ...p });
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q.toString();
}

function obj(v: unknown): Json {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function str(o: Json, ...keys: string[]): string {
  for (const k of keys) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  return '';
}

function int(o: Json, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && isFinite(Number(v))) return Number(v);
  }
  return null;
}

function nums(v: unknown): number[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => (typeof x === 'number' ? x : int(obj(x), 'steps', 'value', 'threshold') ?? NaN)).filter((x) => isFinite(x));
}

export function parseChallenge(v: unknown): ChallengeInfo {
  const o = obj(v);
  return {
    id: str(o, 'id'),
    name: str(o, 'name'),
    description: str(o, 'description'),
    startDate: str(o, 'start_date', 'starts_on', 'start'),
    endDate: str(o, 'end_date', 'ends_on', 'end'),
    dailyCap: int(o, 'daily_cap') ?? 0,
    qualifySteps: int(o, 'qualify_steps', 'qualifying_steps') ?? 0,
    milestones: nums(o.milestones),
    teamLevel: str(o, 'team_level'),
  };
}

export function parseSummary(v: unknown): MemberSummary {
  const o = obj(v);
  const member = obj(o.member);
  const totals = obj(o.totals);
  const today = obj(o.today);
  const rank = obj(o.rank);
  const days = Array.isArray(o.days) ? o.days : Array.isArray(o.daily) ? o.daily : [];
  return {
    challenge: parseChallenge(o.challenge),
    memberName: str(member, 'name'),
    orgName: str(member, 'org_name', 'organisation', 'org'),
    today: { date: str(today, 'date'), steps: int(today, 'steps') ?? 0 },
    totalSteps: int(totals, 'steps', 'total_steps', 'counted') ?? int(o, 'total_steps') ?? 0,
    qualifyingDays: int(totals, 'qualifying_days') ?? 0,
    currentStreak: int(totals, 'current_streak', 'streak') ?? 0,
    longestStreak: int(totals, 'longest_streak') ?? 0,
    milestonesReached: nums(o.milestones_reached ?? totals.milestones_reached),
    days: days.map((d) => ({ date: str(obj(d), 'date'), steps: int(obj(d), 'steps', 'counted') ?? 0 })).filter((d) => d.date),
    rank: int(rank, 'rank') ?? int(o, 'rank'),
    participants: int(rank, 'of', 'participants', 'total') ?? int(o, 'participants'),
  };
}

export function parseBoard(v: unknown, meId: string): Board {
  const o = obj(v);
  const list = Array.isArray(v) ? v : Array.isArray(o.entries) ? o.entries : Array.isArray(o.rows) ? o.rows : Array.isArray(o.items) ? o.items : [];
  const rows = list.map((x) => {
    const r = obj(x);
    const id = str(r, 'member_no', 'org_id', 'id');
    return {
      rank: int(r, 'rank') ?? 0,
      id,
      name: str(r, 'name', 'member_name', 'org_name'),
      org: str(r, 'org_name', 'organisation', 'parent_name'),
      score: int(r, 'score', 'steps', 'value') ?? 0,
      me: r.me === true || (meId !== '' && id === meId),
    };
  });
  return { rows, total: int(o, 'total', 'size', 'count') };
}

async function getJson(url: string): Promise<unknown> {
  const r = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const err = obj(obj(body).error);
    throw new ApiFailure(r.status, str(err, 'code') || `http.${r.status}`, str(err, 'message'));
  }
  return body;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message || code);
  }
}

const base = (id: string) => `/api/v1/challenges/${encodeURIComponent(id)}`;

export async function fetchSummary(id: string, p: MemberLinkParams): Promise<MemberSummary> {
  return parseSummary(await getJson(`${base(id)}/me?${linkQuery(p)}`));
}

export async function fetchBoard(id: string, p: MemberLinkParams, board: Record<string, string | number>): Promise<Board> {
  return parseBoard(await getJson(`${base(id)}/leaderboard?${linkQuery(p, board)}`), p.member);
}

export async function fetchAround(id: string, p: MemberLinkParams, board: Record<string, string | number>): Promise<Board> {
  return parseBoard(await getJson(`${base(id)}/me/rank?${linkQuery(p, board)}`), p.member);
}

export function certificateUrl(id: string, p: MemberLinkParams): string {
  return `${base(id)}/me/certificate.png?${linkQuery(p)}`;
}
