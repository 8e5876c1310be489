// A WebSocket stand-in and hand-driven timers, so the chat client's protocol, reconnects and
// resumes are tested frame by frame without a server or real time.
import type { SocketLike, Timers } from '../src/chat/chat_client';

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  closedWith: number | null = null;

  constructor(public url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
    this.readyState = 3;
    this.onclose?.({ code: this.closedWith }); // as a browser does once the close completes
  }
  // Server side:
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(ev: unknown): void {
    this.onmessage?.({ data: JSON.stringify(ev) });
  }
  pushRaw(data: string): void {
    this.onmessage?.({ data });
  }
  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

export class ManualTimers implements Timers {
  now = 0;
  private next = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  // Delays of the timers waiting now, soonest first.
  waiting(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let best: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.pending) if (e[1].at <= until && (!best || e[1].at < best[1].at)) best = e;
      if (!best) break;
      this.pending.delete(best[0]);
      this.now = best[1].at;
      best[1].fn();
    }
    this.now = until;
  }
}
