import { describe, expect, it } from 'vitest';
import { RecoveryPolicy } from '../src/player/recovery';

function policy(random = () => 0.5) {
  let now = 10_000;
  const p = new RecoveryPolicy({ retryMs: 1000, maxRetryMs: 8000, mediaWindowMs: 3000, now: () => now, random });
  return { p, advance: (ms: number) => (now += ms) };
}

describe('RecoveryPolicy', () => {
  it('recovers a media error, swaps the audio codec on a second one soon after, then starts hls.js over', () => {
    const { p, advance } = policy();
    expect(p.onFatal({ kind: 'media' })).toEqual({ kind: 'recover-media' });
    advance(1000);
    expect(p.onFatal({ kind: 'media' })).toEqual({ kind: 'swap-and-recover' });
    advance(1000);
    expect(p.onFatal({ kind: 'media' })).toEqual({ kind: 'restart', delayMs: 1000 });
    advance(1000);
    expect(p.onFatal({ kind: 'media' })).toEqual({ kind: 'restart', delayMs: 2000 });
  });

  it('starts hls.js over at once when a recovery did not get the video playing, and begins again from the first step', () => {
    const { p, advance } = policy();
    expect(p.onFatal({ kind: 'media' }).kind).toBe('recover-media');
    expect(p.stuckAfterMs).toBe(6000);
    expect(p.onStuck()).toEqual({ kind: 'restart', delayMs: 0 });
    advance(1000);
    expect(p.onFatal({ kind: 'media' }).kind).toBe('recover-media');
  });

  it('treats a media error long after the last one as new trouble', () => {
    const { p, advance } = policy();
    expect(p.onFatal({ kind: 'media' }).kind).toBe('recover-media');
    advance(3000);
    expect(p.onFatal({ kind: 'media' }).kind).toBe('recover-media');
    advance(2999);
    expect(p.onFatal({ kind: 'media' }).kind).toBe('swap-and-recover');
  });

  it('retries network errors with exponential backoff up to the maximum, then reads the master again', () => {
    const { p } = policy();
    const seen = [1, 2, 3, 4, 5, 6].map(() => p.onFatal({ kind: 'network', status: 503 }));
    expect(seen.map((a) => ('delayMs' in a ? a.delayMs : -1))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(seen.map((a) => a.kind)).toEqual(['resume', 'resume', 'resume', 'reload', 'reload', 'reload']);
  });

  it('spreads the retries of many viewers (jitter 0.75x to 1.25x)', () => {
    expect(policy(() => 0).p.onFatal({ kind: 'network' })).toEqual({ kind: 'resume', delayMs: 750 });
    expect(policy(() => 0.999999).p.onFatal({ kind: 'network' })).toEqual({ kind: 'resume', delayMs: 1250 });
  });

  it('starts the backoff over once media was buffered again', () => {
    const { p } = policy();
    p.onFatal({ kind: 'network' });
    p.onFatal({ kind: 'network' });
    expect(p.onFatal({ kind: 'network' })).toEqual({ kind: 'resume', delayMs: 4000 });
    p.progressed();
    expect(p.onFatal({ kind: 'network' })).toEqual({ kind: 'resume', delayMs: 1000 });
  });

  it('reads the master again when it was the master that failed', () => {
    const { p } = policy();
    expect(p.onFatal({ kind: 'network', manifest: true, status: 0 })).toEqual({ kind: 'reload', delayMs: 1000 });
  });

  it('polls a stream whose playlist is missing or held as offline', () => {
    for (const status of [403, 404, 410]) {
      const { p } = policy();
      expect(p.onFatal({ kind: 'network', manifest: true, status })).toEqual({ kind: 'offline', delayMs: 2000 });
      expect(p.onFatal({ kind: 'network', manifest: true, status })).toEqual({ kind: 'offline', delayMs: 2000 });
    }
    // A rendition's playlist answering 404 is a network error like any other.
    expect(policy().p.onFatal({ kind: 'network', manifest: false, status: 404 }).kind).toBe('resume');
  });

  it('starts hls.js over after any other fatal error, with backoff', () => {
    const { p } = policy();
    expect(p.onFatal({ kind: 'other' })).toEqual({ kind: 'restart', delayMs: 1000 });
    expect(p.onFatal({ kind: 'other' })).toEqual({ kind: 'restart', delayMs: 2000 });
  });
});
