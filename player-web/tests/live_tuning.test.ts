import { describe, expect, it } from 'vitest';
import { liveTargets } from '../src/player/live_tuning';

describe('liveTargets', () => {
  it('aims half a second behind PART-HOLD-BACK and jumps back 3.5 s further', () => {
    expect(liveTargets(1.02)).toEqual({ target: 1.52, max: 5.02 });
    expect(liveTargets(3)).toEqual({ target: 3.5, max: 7 });
  });
  it('leaves plain playlists to hls.js', () => {
    expect(liveTargets(undefined)).toBeNull();
    expect(liveTargets(0)).toBeNull();
    expect(liveTargets(NaN)).toBeNull();
  });
});
