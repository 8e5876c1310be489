import { describe, expect, it } from 'vitest';
import { parseRecordings, parseStreams } from '../src/api';

describe('public API lists', () => {
  it('reads the recordings list the media service returns', () => {
    const body = {
      recordings: [
        {
          id: 'r-1',
          title: 'Gala',
          stream: 'gala',
          started_at: '2026-01-01T12:00:00Z',
          ended_at: '2026-01-01T14:00:00Z',
          duration_seconds: 7200.5,
          thumbnail_url: '/vod/r-1/thumb.jpg',
          master_url: '/vod/r-1/master.m3u8',
        },
        { id: 'r-2', title: '', stream: 'talk', started_at: '2026-01-02T08:00:00Z', duration_seconds: 60, thumbnail_url: null },
      ],
    };
    const [a, b] = parseRecordings(body);
    expect(a).toEqual({
      id: 'r-1',
      stream: 'gala',
      title: 'Gala',
      thumbnail: '/vod/r-1/thumb.jpg',
      startedAt: Date.parse('2026-01-01T12:00:00Z'),
      durationSeconds: 7200.5,
    });
    expect(b.title).toBe('talk');
    expect(b.thumbnail).toBe('');
  });

  it('reads live streams as an array or an object, with the thumbnail URL of the media contract', () => {
    for (const body of [[{ name: 'gala', title: '晚会', viewers: 12 }], { streams: [{ name: 'gala', title: '晚会', viewers: 12 }] }]) {
      const [s] = parseStreams(body);
      expect(s.name).toBe('gala');
      expect(s.title).toBe('晚会');
      expect(s.viewers).toBe(12);
      expect(s.live).toBe(true);
      expect(s.thumbnail).toBe('/live/gala/thumb.jpg');
    }
    expect(parseStreams({ streams: [{ name: 'x', state: 'offline' }] })[0].live).toBe(false);
    expect(parseStreams({ streams: [{ name: 'x', renditions: 3 }] })[0].renditions).toBe(3);
    expect(parseStreams({ streams: [{ name: 'x' }] })[0].renditions).toBe(0);
    expect(parseStreams({ error: 'x' })).toEqual([]);
  });
});
