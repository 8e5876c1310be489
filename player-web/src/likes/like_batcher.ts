// Taps on the like button become one `like` command per flush interval with the count of taps,
// never one frame per tap; at most `maxPerSecond` taps a second are counted (the server caps a
// client too, so counting more would only make the total jump back). The total shown is the
// room's total from the last `likes` event plus this viewer's taps the server has not counted yet.

import type { Timers } from '../chat/chat_client';

export interface LikeBatcherOptions {
  flushMs: number;
  maxPerSecond: number;
  send: (count: number) => boolean; // false: not connected, keep the taps for later
  now: () => number;
  timers: Timers;
}

export class LikeBatcher {
  private pending = 0;
  private inFlight = 0;
  private windowStart = -Infinity;
  private windowCount = 0;
  private timer: unknown = null;
  private serverTotal = 0;

  constructor(private readonly opts: LikeBatcherOptions) {}

  // One tap. True when it was counted (false: over this second's budget).
  tap(): boolean {
    const now = this.opts.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (this.windowCount >= this.opts.maxPerSecond) return false;
    this.windowCount++;
    this.pending++;
    if (this.timer === null) this.timer = this.opts.timers.setTimeout(() => this.flush(), this.opts.flushMs);
    return true;
  }

  flush(): void {
    if (this.timer !== null) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === 0) return;
    if (this.opts.send(this.pending)) {
      this.inFlight += this.pending;
      this.pending = 0;
    } else {
      this.timer = this.opts.timers.setTimeout(() => this.flush(), this.opts.flushMs * 4);
    }
  }

  // A `likes` event: the room's total now includes what we flushed before it (the server
  // merges a flush into the next tick), so what was in flight is counted.
  onTotal(total: number): void {
    if (total >= this.serverTotal) {
      this.serverTotal = total;
      this.inFlight = 0;
    }
  }

  get total(): number {
    return this.serverTotal + this.inFlight + this.pending;
  }
}
