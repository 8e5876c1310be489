// One viewer's chat connection: hello with a token, join the room (the server sends its recent
// history first, `[chat] join_history` messages, so a newcomer sees what was just said), resume
// with `since` = the last message id after a drop, reconnect with backoff + jitter, never after
// a ban (4003).
// Browser objects (WebSocket, timers, randomness) are injected so the tests drive it by hand.

import { backoffDelay, BackoffOptions, defaultBackoff } from './backoff';
import { CLOSE_BANNED, ClientCommand, ServerEvent, parseFrame } from './protocol';

export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type ChatState = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'banned' | 'closed';

export interface ChatClientOptions {
  url: string; // ws(s)://host/ws
  room: string;
  getToken: (fresh: boolean) => Promise<string>;
  socketFactory?: (url: string) => SocketLike;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
}

export interface ChatListener {
  event?(ev: ServerEvent): void;
  state?(state: ChatState): void;
  // After a resume that could not replay everything (`recovered` false).
  gap?(): void;
}

const OPEN = 1;

export class ChatClient {
  private socket: SocketLike | null = null;
  private state_: ChatState = 'idle';
  private attempt = 0;
  private lastId_ = 0;
  private replayUntil = 0; // messages up to this id came from the history, not live
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private freshToken = false;
  private listeners: ChatListener[] = [];
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly factory: (url: string) => SocketLike;

  constructor(private readonly opts: ChatClientOptions) {
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    this.random = opts.random ?? Math.random;
    this.factory = opts.socketFactory ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  }

  get state(): ChatState {
    return this.state_;
  }
  get lastId(): number {
    return this.lastId_;
  }
  // Whether a message came from the room's history at join (or resume) rather than live:
  // shown in the list, but not flown as a bullet comment.
  isReplay(id: number): boolean {
    return id <= this.replayUntil;
  }
  get room(): string {
    return this.opts.room;
  }

  listen(l: ChatListener): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }

  connect(): void {
    if (this.state_ === 'banned' || this.socket) return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    this.opts.getToken(this.freshToken).then(
      (token) => this.open(token),
      () => this.scheduleRetry(),
    );
  }

  // Starts over with a new token (e.g. once the viewer signed in).
  restart(): void {
    this.close();
    this.attempt = 0;
    this.freshToken = true;
    this.connect();
  }

  close(): void {
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'bye');
    }
    if (this.state_ !== 'banned') this.setState('closed');
  }

  // False when the room is not joined right now (the caller says "connecting").
  send(text: string): boolean {
    return this.command({ op: 'send', room: this.opts.room, text });
  }

  like(count: number): boolean {
    return this.command({ op: 'like', room: this.opts.room, count });
  }

  private command(cmd: ClientCommand): boolean {
    if (this.state_ !== 'joined' || !this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(cmd));
    return true;
  }

  private open(token: string): void {
    if (this.state_ === 'closed' || this.state_ === 'banned') return;
    let s: SocketLike;
    try {
      s = this.factory(this.opts.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = s;
    s.onopen = () => s.send(JSON.stringify({ op: 'hello', token } satisfies ClientCommand));
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      for (const e of parseFrame(ev.data)) this.handle(s, e);
    };
    s.onerror = () => {};
    s.onclose = (ev) => this.onClose(s, ev.code);
  }

  private handle(s: SocketLike, e: ServerEvent): void {
    if (s !== this.socket) return;
    switch (e.type) {
      case 'welcome': {
        const join: ClientCommand = { op: 'join', room: this.opts.room };
        if (this.lastId_ > 0) join.since = this.lastId_;
        s.send(JSON.stringify(join));
        break;
      }
      case 'joined':
        if (e.room !== this.opts.room) return;
        this.attempt = 0;
        this.freshToken = false;
        this.replayUntil = e.last_id;
        this.setState('joined');
        this.startPing();
        if (this.lastId_ > 0 && e.recovered === false) this.emitGap();
        break;
      case 'message':
        if (e.room !== this.opts.room) return;
        if (e.id <= this.lastId_) return; // replayed twice around a resume
        this.lastId_ = e.id;
        break;
      case 'error':
        // An expired or forged token: the server keeps the socket open until its hello
        // deadline; start over at once with a fresh token instead of waiting for 4001.
        if (e.code === 'auth.invalid') {
          this.freshToken = true;
          if (this.state_ !== 'joined') s.close(1000, 'new token');
        }
        break;
      default:
        break;
    }
    for (const l of this.listeners) l.event?.(e);
  }

  private onClose(s: SocketLike, code: number): void {
    if (s !== this.socket) return;
    this.socket = null;
    this.stopPing();
    if (code === CLOSE_BANNED) {
      this.setState('banned');
      return;
    }
    if (this.state_ === 'closed') return;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.state_ === 'closed' || this.state_ === 'banned') return;
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt, this.random, this.opts.backoff ?? defaultBackoff);
    this.attempt++;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private startPing(): void {
    this.stopPing();
    const every = this.opts.pingIntervalMs ?? 25_000;
    const tick = () => {
      this.command({ op: 'ping' });
      this.pingTimer = this.timers.setTimeout(tick, every);
    };
    this.pingTimer = this.timers.setTimeout(tick, every);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }

  private clearTimers(): void {
    this.stopPing();
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private emitGap(): void {
    for (const l of this.listeners) l.gap?.();
  }

  private setState(s: ChatState): void {
    if (this.state_ === s) return;
    this.state_ = s;
    for (const l of this.listeners) l.state?.(s);
  }
}
