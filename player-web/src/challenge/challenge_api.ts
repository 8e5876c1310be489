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

// The hub's GET /api/v1/challenges/{id}/me (flat), read tolerantly.
export function parseSummary(v: unknown): MemberSummary {
  const o = obj(v);
  const series = Array.isArray(o.series) ? o.series : Array.isArray(o.days) ? o.days : [];
  return {
    challenge: parseChallenge(o.challenge),
    memberName: str(o, 'name', 'member_name'),
    orgName: str(o, 'org_name'),
    today: { date: str(o, 'today'), steps: int(o, 'today_steps') ?? 0 },
    totalSteps: int(o, 'total', 'total_steps') ?? 0,
    qualifyingDays: int(o, 'qualified_days', 'qualifying_days') ?? 0,
    currentStreak: int(o, 'current_streak') ?? 0,
    longestStreak: int(o, 'longest_streak') ?? 0,
    milestonesReached: nums(o.milestones_reached),
    days: series.map((d) => ({ date: str(obj(d), 'date'), steps: int(obj(d), 'steps') ?? 0 })).filter((d) => d.date),
    rank: int(o, 'rank'),
    participants: int(o, 'participants'),
  };
}

export interface MyOrg {
  name: string;
  parentName: string;
  rank: number | null;
  of: number;
  board: Board;
}

export function parseMyOrg(v: unknown): MyOrg {
  const o = obj(v);
  return { name: str(o, 'name'), parentName: str(o, 'parent_name'), rank: int(o, 'rank'), of: int(o, 'of') ?? 0, board: parseBoard(o, '', str(o, 'org_id')) };
}

// A board page ({entries, size}) or my place ({me, entries}); my row is marked by my member number,
// or by the organisation id of `me`.
export function parseBoard(v: unknown, memberNo: string, myOrgId = ''): Board {
  const o = obj(v);
  const list = Array.isArray(v) ? v : Array.isArray(o.entries) ? o.entries : [];
  const me = obj(o.me);
  const meOrg = myOrgId || str(me, 'org_id');
  const rows = list.map((x) => {
    const r = obj(x);
    const isOrg = 'org_id' in r;
    const id = isOrg ? str(r, 'org_id') : str(r, 'member_no');
    return {
      rank: int(r, 'rank') ?? 0,
      id,
      name: str(r, 'name'),
      org: str(r, 'org_name'),
      score: int(r, 'score') ?? 0,
      me: isOrg ? meOrg !== '' && id === meOrg : memberNo !== '' && id === memberNo,
    };
  });
  return { rows, total: int(o, 'size', 'of') };
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

// board: {board: individuals, by: total|day|week} or {board: orgs, level, by: total|average|rate}.
export async function fetchBoard(id: string, p: MemberLinkParams, board: Record<string, string | number>): Promise<Board> {
  return parseBoard(await getJson(`${base(id)}/leaderboard?${linkQuery(p, board)}`), p.member);
}

export async function fetchAround(id: string, p: MemberLinkParams, board: Record<string, string | number>): Promise<Board> {
  return parseBoard(await getJson(`${base(id)}/leaderboard/me?${linkQuery(p, board)}`), p.member);
}

export async function fetchMyOrg(id: string, p: MemberLinkParams): Promise<MyOrg> {
  return parseMyOrg(await getJson(`${base(id)}/my-org?${linkQuery(p)}`));
}

export function certificateUrl(id: string, p: MemberLinkParams): string {
  return `${base(id)}/me/certificate.png?${linkQuery(p)}`;
}
