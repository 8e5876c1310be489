import { describe, expect, it } from 'vitest';
import { eventsCsv, minuteSeries, minutesCsv, readEventRows, readMinutes, watchMinutes, watchTimeText } from '../src/liveAnalytics';

describe('live analytics', () => {
  it('reads the event rows, defaulting what is missing', () => {
    const rows = readEventRows({
      events: [
        { event_id: 7, title: '职工春晚', state: 'ended', starts_at: '2026-11-02T19:30:00+08:00', peak_viewers: 12, plays: 30, watch_ms: 5_400_000, replay_plays: 4, replay_watch_ms: 600_000, likes: 99, messages: 41 },
        { event_id: 8, title: 'x' },
      ],
    });
    expect(rows[0]).toEqual({ id: 7, title: '职工春晚', state: 'ended', startsAt: '2026-11-02T19:30:00+08:00', peakViewers: 12, plays: 30, watchMs: 5_400_000, replayPlays: 4, replayWatchMs: 600_000, likes: 99, messages: 41 });
    expect(rows[1].plays).toBe(0);
    expect(readEventRows({})).toEqual([]);
  });

  it('puts viewers and chat of the same minute together, oldest first', () => {
    const minutes = readMinutes({
      viewers: [{ minute_ms: 120_000, viewers: 3 }, { minute_ms: 60_000, viewers: 5 }],
      chat: [{ minute_ms: 0, messages: 2, likes: 1 }, { minute_ms: 120_000, messages: 4, likes: 10 }],
    });
    expect(minutes).toEqual([
      { minute: 0, viewers: null, likes: 1, messages: 2 },
      { minute: 60_000, viewers: 5, likes: 0, messages: 0 },
      { minute: 120_000, viewers: 3, likes: 10, messages: 4 },
    ]);
    const s = minuteSeries(minutes, { viewers: 'v', likes: 'l', messages: 'm' });
    expect(s.viewers[0].points).toEqual([[60_000, 5], [120_000, 3]]); // no sample: no point
    expect(s.chat[0].points).toEqual([[0, 1], [60_000, 0], [120_000, 10]]);
    expect(s.chat[1].name).toBe('m');
    expect(minutesCsv(minutes, ['t', 'v', 'l', 'm'], (ms) => String(ms / 60_000))).toEqual([
      ['t', 'v', 'l', 'm'], ['0', '', 1, 2], ['1', 5, 0, 0], ['2', 3, 10, 4],
    ]);
  });

  it('writes watch time as h:mm:ss and minutes for CSV', () => {
    expect(watchTimeText(0)).toBe('0:00');
    expect(watchTimeText(65_000)).toBe('1:05');
    expect(watchTimeText(7_509_000)).toBe('2:05:09');
    expect(watchMinutes(5_430_000)).toBe(90.5);
    const rows = readEventRows({ events: [{ event_id: 1, title: 'a', state: 'live', starts_at: 's', plays: 2, watch_ms: 90_000, replay_plays: 1, replay_watch_ms: 30_000 }] });
    expect(eventsCsv(rows, ['h'], (s) => s.toUpperCase(), (s) => `<${s}>`)).toEqual([['h'], ['a', '<s>', 'LIVE', 0, 2, 1.5, 1, 0.5, 0, 0]]);
  });
});
