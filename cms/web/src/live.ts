// The live control room's data: the hub's live events, health samples and chat minutes as the
// pages use them, and the moderator's chat connection (docs/chat-protocol.md).

export interface LiveEvent {
  id: number;
  orgId: number;
  title: string;
  state: string;
  stream: string;
  startsAt: string;
  endsAt: string;
  restreamAccountIds: number[];
}

export function readEvent(v: unknown): LiveEvent {
  const e = (v ?? {}) as Record<string, unknown>;
  return {
    id: Number(e.id ?? 0),
    orgId: Number(e.org_id ?? 0),
    title: String(e.title ?? ''),
    state: String(e.state ?? ''),
    stream: String(e.stream ?? ''),
    startsAt: String(e.starts_at ?? ''),
    endsAt: String(e.ends_at ?? ''),
    restreamAccountIds: Array.isArray(e.restream_account_ids) ? e.restream_account_ids.map(Number) : [],
  };
}

export interface HealthSample {
  at: number; // ms since the epoch
  live: boolean;
  bitrateKbps: number;
  fps: number;
  keyframeInterval: number; // seconds
  viewers: number;
}

export function readSamples(v: unknown): HealthSample[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => {
    const s = (x ?? {}) as Record<string, unknown>;
    return {
      at: Number(s.at_ms ?? 0),
      live: s.live === true,
      bitrateKbps: Math.round(Number(s.bitrate_in ?? 0) / 1000),
      fps: Math.round(Number(s.fps ?? 0) * 10) / 10,
      keyframeInterval: Math.round(Number(s.keyframe_interval_seconds ?? 0) * 100) / 100,
      viewers: Number(s.viewers ?? 0),
    };
  });
}

// Appends the samples newer than what `have` holds (the page asks with since = its last time),
// keeping at most `max`.
export function mergeSamples(have: HealthSample[], more: HealthSample[], max = 2000): HealthSample[] {
  const last = have.length ? have[have.length - 1].at : -Infinity;
  const out = have.concat(more.filter((s) => s.at > last));
  return out.length > max ? out.slice(out.length - max) : out;
}

export type Point = [number, number];

export interface Series {
  name: string;
  points: Point[];
}

// Chat messages and likes of one minute (the hub's history of the room).
export interface ChatMinute {
  minute: number; // ms since the epoch, start of the minute
  messages: number;
  likes: number;
}

export function readMinutes(v: unknown): ChatMinute[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => {
    const m = (x ?? {}) as Record<string, unknown>;
    return { minute: Number(m.minute_ms ?? 0), messages: Number(m.messages ?? 0), likes: Number(m.likes ?? 0) };
  });
}

// The newer page replaces the minutes it covers (the current minute grows while it lasts).
export function mergeMinutes(have: ChatMinute[], more: ChatMinute[], max = 1440): ChatMinute[] {
  if (!more.length) return have;
  const from = more[0].minute;
  const out = have.filter((m) => m.minute < from).concat(more);
  return out.length > max ? out.slice(out.length - max) : out;
}

// "rtmp://host/live" + "key" -> what OBS wants, and the key shown masked until asked.
export function maskKey(key: string): string {
  if (key.length <= 6) return '••••••';
  return key.slice(0, 3) + '•'.repeat(Math.min(12, key.length - 6)) + key.slice(-3);
}

// A chat event from the socket, as the panel shows it.
export interface ChatLine {
  id: number;
  userId: number;
  name: string;
  text: string;
  ts: number;
  deleted: boolean;
}

export type ModerationOp =
  | { op: 'delete'; id: number }
  | { op: 'mute'; user_id: number; seconds: number }
  | { op: 'unmute'; user_id: number }
  | { op: 'ban'; user_id: number }
  | { op: 'unban'; user_id: number }
  | { op: 'slow'; seconds: number };

export interface ChatHandlers {
  onWelcome(role: string): void;
  onMessage(line: ChatLine): void;
  onDeleted(id: number): void;
  onMuted(userId: number, until: number): void;
  onLikes(delta: number): void;
  onViewers(count: number): void;
  onModerated(action: string): void;
  onError(code: string, message: string): void;
  onClosed(code: number): void;
}

// Applies one server event of `room` to the handlers; false when it is not for this room or
// not understood.
// The events of one WebSocket frame: one object, or several packed in a JSON array
// (docs/chat-protocol.md); nothing for a frame that is not JSON.
export function frameEvents(text: string): Record<string, unknown>[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  return (Array.isArray(data) ? data : [data]).filter((e): e is Record<string, unknown> => !!e && typeof e === 'object');
}

export function dispatchChat(room: string, ev: Record<string, unknown>, h: ChatHandlers): boolean {
  if (ev.type === 'welcome') {
    const u = (ev.user ?? {}) as Record<string, unknown>;
    h.onWelcome(String(u.role ?? ''));
    return true;
  }
  if (ev.type === 'error') {
    h.onError(String(ev.code ?? ''), String(ev.message ?? ''));
    return true;
  }
  if (ev.room !== undefined && ev.room !== room) return false;
  switch (ev.type) {
    case 'message': {
      const u = (ev.user ?? {}) as Record<string, unknown>;
      h.onMessage({ id: Number(ev.id), userId: Number(u.id ?? 0), name: String(u.name ?? ''), text: String(ev.text ?? ''), ts: Number(ev.ts ?? Date.now()), deleted: false });
      return true;
    }
    case 'deleted':
      h.onDeleted(Number(ev.id));
      return true;
    case 'muted':
      h.onMuted(Number(ev.user_id), Number(ev.until ?? 0));
      return true;
    case 'likes':
      h.onLikes(Number(ev.delta ?? 0));
      return true;
    case 'viewers':
      h.onViewers(Number(ev.count ?? 0));
      return true;
    case 'moderated':
      h.onModerated(String(ev.action ?? ''));
      return true;
    default:
      return false;
  }
}

// The moderator's connection to one room: hello with the event's chat token, join, then
// events to `h`; reconnects (with `since`) after a drop until closed.
export class RoomSocket {
  private ws: WebSocket | null = null;
  private closed = false;
  private lastId = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly room: string,
    private readonly token: () => Promise<string>,
    private readonly h: ChatHandlers,
  ) {}

  async open(): Promise<void> {
    if (this.closed) return;
    let token: string;
    try {
      token = await this.token();
    } catch {
      this.later();
      return;
    }
    if (this.closed) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ op: 'hello', token }));
      ws.send(JSON.stringify(this.lastId ? { op: 'join', room: this.room, since: this.lastId } : { op: 'join', room: this.room }));
    };
    ws.onmessage = (m) => {
      for (const ev of frameEvents(String(m.data))) {
        if (ev.type === 'message' && ev.room === this.room) this.lastId = Math.max(this.lastId, Number(ev.id));
        dispatchChat(this.room, ev, this.h);
      }
    };
    ws.onclose = (e) => {
      this.h.onClosed(e.code);
      if (this.ws === ws) this.ws = null;
      this.later();
    };
  }

  send(op: ModerationOp | { op: 'send'; text: string }): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ ...op, room: this.room }));
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.ws?.close();
    this.ws = null;
  }

  private later(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.open();
    }, 3000);
  }
}
