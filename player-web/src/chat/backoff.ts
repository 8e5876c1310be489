// Reconnect delays: exponential growth with "equal jitter" (half fixed, half random), so a
// thousand viewers dropped by one restart do not all knock again in the same millisecond.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

// Delay before reconnect attempt `attempt` (0 for the first retry). `random` returns [0, 1).
export function backoffDelay(attempt: number, random: () => number, opts: BackoffOptions = defaultBackoff): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * Math.pow(2, Math.min(attempt, 30)));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
