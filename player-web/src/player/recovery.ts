// What the player does about a fatal hls.js error, so the viewer never has to reload the page.
// Media errors (a part the browser could not decode or append): hls.js's recoverMediaError;
// a second one soon after: swapAudioCodec, then recover again; a third: a fresh hls.js
// instance, after a backoff. A recovered player that still does not play a while later (hls.js
// can sit on a few buffered frames after a recovery) is started over as well. Network errors: the stream's playlist missing (403/404/410) means
// offline and is polled; anything else retries with exponential backoff and jitter, resuming the
// loading where it stopped, or reading the master again once that failed a few times.
// Pure (the clock and the randomness are injected), so the tests drive it by hand.

export type FatalKind = 'media' | 'network' | 'other';

export interface FatalError {
  kind: FatalKind;
  manifest?: boolean; // the master playlist failed (not a rendition's playlist or a part)
  status?: number; // the HTTP status, 0 when there was none
}

export type RecoveryAction =
  | { kind: 'recover-media' }
  | { kind: 'swap-and-recover' }
  | { kind: 'restart'; delayMs: number }
  | { kind: 'resume'; delayMs: number }
  | { kind: 'reload'; delayMs: number }
  | { kind: 'offline'; delayMs: number };

export interface RecoveryOptions {
  retryMs?: number; // first backoff delay, default 1000
  maxRetryMs?: number; // default 8000
  mediaWindowMs?: number; // media errors closer than this count as the same trouble, default 3000
  stuckAfterMs?: number; // a recovery that has not played by then is started over, default 6000
  now?: () => number;
  random?: () => number;
}

export class RecoveryPolicy {
  private failures = 0;
  private mediaStreak = 0;
  private lastMediaAt = -Infinity;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly mediaWindowMs: number;
  readonly stuckAfterMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(opts: RecoveryOptions = {}) {
    this.retryMs = opts.retryMs ?? 1000;
    this.maxRetryMs = opts.maxRetryMs ?? 8000;
    this.mediaWindowMs = opts.mediaWindowMs ?? 3000;
    this.stuckAfterMs = opts.stuckAfterMs ?? 6000;
    this.now = opts.now ?? (() => Date.now());
    this.random = opts.random ?? Math.random;
  }

  // Media was buffered again: the trouble is over, the next one starts from the first step.
  progressed(): void {
    this.failures = 0;
  }

  onFatal(e: FatalError): RecoveryAction {
    if (e.kind === 'media') return this.onMedia();
    if (e.kind === 'network') {
      const status = e.status ?? 0;
      // 404/410: no such live stream (yet); 403: held for a rehearsal. Poll until it plays.
      if (e.manifest && (status === 403 || status === 404 || status === 410)) {
        this.failures++;
        return { kind: 'offline', delayMs: this.retryMs * 2 };
      }
      const delayMs = this.backoff();
      return e.manifest || this.failures > 3 ? { kind: 'reload', delayMs } : { kind: 'resume', delayMs };
    }
    return { kind: 'restart', delayMs: this.backoff() };
  }

  // A media recovery did not get the video playing within stuckAfterMs.
  onStuck(): RecoveryAction {
    this.mediaStreak = 0;
    return { kind: 'restart', delayMs: 0 };
  }

  private onMedia(): RecoveryAction {
    const now = this.now();
    this.mediaStreak = now - this.lastMediaAt < this.mediaWindowMs ? this.mediaStreak + 1 : 1;
    this.lastMediaAt = now;
    if (this.mediaStreak === 1) return { kind: 'recover-media' };
    if (this.mediaStreak === 2) return { kind: 'swap-and-recover' };
    return { kind: 'restart', delayMs: this.backoff() };
  }

  // min(max, retry x 2^failures), times 0.75 to 1.25 so that many viewers do not retry in step.
  private backoff(): number {
    const base = Math.min(this.maxRetryMs, this.retryMs * Math.pow(2, this.failures));
    this.failures++;
    return Math.round(base * (0.75 + this.random() * 0.5));
  }
}
