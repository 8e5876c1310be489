import { describe, expect, it } from 'vitest';
import { liveTargets, stripProgramDateTime } from '../src/player/live_tuning';

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

describe('stripProgramDateTime', () => {
  const playlist = [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MAP:URI="a-init0.mp4"',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-29T07:00:26.682Z',
    '#EXTINF:2.00100,',
    'a-0.m4s',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-29T07:00:28.556Z',
    '#EXT-X-PART:DURATION=0.33200,URI="a-1.0.m4s",INDEPENDENT=YES',
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="a-1.1.m4s"',
    '',
  ].join('\n');
  it('drops every PROGRAM-DATE-TIME line and keeps the rest as it was', () => {
    const out = stripProgramDateTime(playlist);
    expect(out).not.toContain('PROGRAM-DATE-TIME');
    expect(out.split('\n')).toEqual(playlist.split('\n').filter((l) => !l.startsWith('#EXT-X-PROGRAM-DATE-TIME')));
  });
  it('handles CRLF line ends and leaves playlists without the tag untouched', () => {
    expect(stripProgramDateTime(playlist.replace(/\n/g, '\r\n'))).not.toContain('PROGRAM-DATE-TIME');
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nsource/index.m3u8\n';
    expect(stripProgramDateTime(master)).toBe(master);
  });
});
