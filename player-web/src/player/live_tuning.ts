// How close to the live edge the player runs, measured against the
// hub's LL-HLS (parts of 0.33 s, PART-HOLD-BACK 1.02 s, segments of 2 s) in the e2e playback
// spec (docs/benchmarks.md):
// - The target latency is the playlist's PART-HOLD-BACK plus half a second. At exactly
//   PART-HOLD-BACK the forward buffer stays under the one second hls.js needs before it speeds
//   playback up, so a player that fell behind once (a stall, a slow start) stayed behind (3.7 s
//   p50 measured). Half a second more gives it room to catch up at up to 1.5x.
// - Past the target plus 3.5 s the player jumps back to the target instead (after a long stall
//   or a tab in the background).
// EXT-X-PROGRAM-DATE-TIME is left as the hub sends it: every rendition of a stream dates the
// same media time alike (one anchor per stream), so hls.js may line renditions up by it.

export interface LiveTargets {
  target: number; // seconds behind the live edge the player aims for
  max: number; // seconds behind the edge past which it jumps back to the target
}

// The targets for a low-latency playlist (PART-HOLD-BACK given), or null for a plain one (then
// hls.js's own three target durations apply).
export function liveTargets(partHoldBack: number | undefined | null): LiveTargets | null {
  if (!partHoldBack || !isFinite(partHoldBack) || partHoldBack <= 0) return null;
  const target = Math.round((partHoldBack + 0.5) * 1000) / 1000;
  return { target, max: target + 3.5 };
}
