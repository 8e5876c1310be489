// What the player asks the hub over HTTP: the public lists of live streams and recordings and a
// chat token. The lists are read tolerantly (a bare array or {"streams": [...]}, a few
// spellings of each field) so the pages keep working while the media API settles.

export interface LiveStream {
  name: string;
  title: string;
  thumbnail: string;
  viewers: number;
  live: boolean;
  startsAt: number | null; // ms since the epoch, for upcoming events (CMS)
  recordingId: string | null; // the replay of an ended stream, when known
  renditions: number; // how many renditions its master playlist will list (0: not known)
}

export interface Recording {
  id: string;
  stream: string;
  title: string;
  thumbnail: string;
  startedAt: number | null;
  durationSeconds: number | null;
}

type Json = Record<string, unknown>;

function str(o: Json, ...keys: string[]): string {
  for (const k of keys) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  return '';
}

function num(o: Json, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && isFinite(v)) return v;
    if (typeof v === 'string' && v !== '') {
      const d = Date.parse(v);
      if (!isNaN(d)) return d;
      const n = Number(v);
      if (isFinite(n)) return n;
    }
  }
  return null;
}

function list(body: unknown, key: string): Json[] {
  if (Array.isArray(body)) return body as Json[];
  if (body && typeof body === 'object') {
    const v = (body as Json)[key] ?? (body as Json).items;
    if (Array.isArray(v)) return v as Json[];
  }
  return [];
}

export function parseStreams(body: unknown): LiveStream[] {
  return list(body, 'streams')
    .filter((o) => o && typeof o === 'object' && str(o, 'name') !== '')
    .map((o) => {
      const name = str(o, 'name');
      const state = str(o, 'state', 'status');
      return {
        name,
        title: str(o, 'title') || name,
        thumbnail: str(o, 'thumbnail', 'thumbnail_url', 'thumb') || `/live/${encodeURIComponent(name)}/thumb.jpg`,
        viewers: num(o, 'viewers', 'viewer_count') ?? 0,
        live: o.live === true || state === 'live' || (o.live === undefined && state === ''),
        startsAt: num(o, 'starts_at', 'scheduled_at'),
        recordingId: str(o, 'recording_id') || null,
        renditions: num(o, 'renditions') ?? 0,
      };
    });
}

export function parseRecordings(body: unknown): Recording[] {
  return list(body, 'recordings')
    .filter((o) => o && typeof o === 'object' && str(o, 'id') !== '')
    .map((o) => {
      const id = str(o, 'id');
      const stream = str(o, 'stream', 'stream_name', 'name');
      let duration = num(o, 'duration_seconds', 'duration');
      if (duration === null) {
        const ms = num(o, 'duration_ms');
        duration = ms === null ? null : ms / 1000;
      }
      return {
        id,
        stream,
        title: str(o, 'title') || stream || id,
        thumbnail: str(o, 'thumbnail', 'thumbnail_url', 'thumb'), // null when the recording has none
        startedAt: num(o, 'started_at', 'start', 'created_at'),
        durationSeconds: duration,
      };
    });
}

async function getJson(path: string): Promise<unknown> {
  const r = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

export async function fetchStreams(): Promise<LiveStream[]> {
  return parseStreams(await getJson('/api/v1/public/streams'));
}

export async function fetchRecordings(): Promise<Recording[]> {
  return parseRecordings(await getJson('/api/v1/public/recordings'));
}

// A chat token: one given in the page's URL (`#token=...`, e.g. printed by `hub token user`),
// else a member token when the viewer is signed in to the hub (the CMS session cookie: GET
// /api/v1/auth/me gives the CSRF token, POST /api/v1/chat/member-token the token), else a
// guest token (POST /api/v1/chat/token).
const TOKEN_KEY = 'hub.chat.token';

export function tokenFromUrl(): string | null {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (!m) return null;
  const token = decodeURIComponent(m[1]);
  remember(token);
  history.replaceState(null, '', location.pathname + location.search);
  return token;
}

function remember(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    /* ignore */
  }
}

async function tokenFrom(r: Response, what: string): Promise<string> {
  if (!r.ok) throw new Error(`${what}: HTTP ${r.status}`);
  const token = str((await r.json()) as Json, 'token');
  if (!token) throw new Error(`${what}: no token in the answer`);
  return token;
}

// The member token of a signed-in viewer, or null when nobody is signed in (401) or the hub
// has no CMS (404).
export async function memberToken(): Promise<string | null> {
  const me = await fetch('/api/v1/auth/me', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (me.status === 401 || me.status === 404) return null;
  if (!me.ok) throw new Error(`sign-in state: HTTP ${me.status}`);
  const csrf = str((await me.json()) as Json, 'csrf_token');
  if (!csrf) return null;
  const r = await fetch('/api/v1/chat/member-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
    credentials: 'same-origin',
    body: '{}',
  });
  return tokenFrom(r, 'member token');
}

export async function chatToken(fresh: boolean): Promise<string> {
  if (!fresh) {
    try {
      const stored = sessionStorage.getItem(TOKEN_KEY);
      if (stored) return stored;
    } catch {
      /* ignore */
    }
  }
  let token: string | null = null;
  try {
    token = await memberToken();
  } catch {
    token = null; // a member token is a bonus: chat as a guest rather than not at all
  }
  if (!token) {
    const r = await fetch('/api/v1/chat/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
    });
    token = await tokenFrom(r, 'chat token');
  }
  remember(token);
  return token;
}

export function wsUrl(): string {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
}
