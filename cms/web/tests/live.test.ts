// The control room's helpers: health samples and chat minutes from the hub, merging polled
// pages, the masked key, and chat events routed to the panel.
import { describe, expect, it } from 'vitest';
import { ChatHandlers, dispatchChat, frameEvents, maskKey, mergeMinutes, mergeSamples, readEvent, readMinutes, readSamples } from '../src/live';

describe('health samples', () => {
  it('reads the hub fields in display units', () => {
    const [s] = readSamples([{ at_ms: 1000, live: true, bitrate_in: 2_345_678, fps: 29.97, keyframe_interval_seconds: 2.0004, viewers: 7 }]);
    expect(s).toEqual({ at: 1000, live: true, bitrateKbps: 2346, fps: 30, keyframeInterval: 2, viewers: 7 });
    expect(readSamples(null)).toEqual([]);
  });
  it('appends only newer samples and keeps the newest', () => {
    const mk = (at: number) => readSamples([{ at_ms: at }])[0];
    const have = [mk(1), mk(2)];
    expect(mergeSamples(have, [mk(2), mk(3)]).map((s) => s.at)).toEqual([1, 2, 3]);
    expect(mergeSamples(have, [mk(3), mk(4)], 3).map((s) => s.at)).toEqual([2, 3, 4]);
  });
});

describe('chat minutes', () => {
  it('reads them and lets a newer page replace the minutes it covers', () => {
    const have = readMinutes([{ minute_ms: 0, messages: 1, likes: 2 }, { minute_ms: 60_000, messages: 3, likes: 0 }]);
    expect(have[1]).toEqual({ minute: 60_000, messages: 3, likes: 0 });
    const more = readMinutes([{ minute_ms: 60_000, messages: 5, likes: 1 }, { minute_ms: 120_000, messages: 1, likes: 0 }]);
    expect(mergeMinutes(have, more).map((m) => [m.minute, m.messages])).toEqual([[0, 1], [60_000, 5], [120_000, 1]]);
    expect(mergeMinutes(have, [])).toBe(have);
  });
});

describe('maskKey and readEvent', () => {
  it('shows only the ends of a key', () => {
    expect(maskKey('abcdef0123456789')).toBe('abc••••••••••789');
    expect(maskKey('abc')).toBe('••••••');
  });
  it('reads an event', () => {
    const e = readEvent({ id: 4, org_id: 2, title: 'x', state: 'live', stream: 'live-1', restream_account_ids: [3] });
    expect(e.stream).toBe('live-1');
    expect(e.restreamAccountIds).toEqual([3]);
  });
});

describe('frameEvents', () => {
  it('reads one event, events packed in an array, and nothing from a bad frame', () => {
    expect(frameEvents('{"type":"pong"}')).toEqual([{ type: 'pong' }]);
    expect(frameEvents('[{"type":"welcome"},{"type":"joined","room":"r"}]')).toEqual([{ type: 'welcome' }, { type: 'joined', room: 'r' }]);
    expect(frameEvents('not json')).toEqual([]);
    expect(frameEvents('[1,null,{"type":"x"}]')).toEqual([{ type: 'x' }]);
  });
});

describe('dispatchChat', () => {
  const seen: string[] = [];
  const h: ChatHandlers = {
    onWelcome: (r) => seen.push(`welcome ${r}`),
    onMessage: (l) => seen.push(`message ${l.id} ${l.name} ${l.text}`),
    onDeleted: (id) => seen.push(`deleted ${id}`),
    onMuted: (u) => seen.push(`muted ${u}`),
    onLikes: (d) => seen.push(`likes ${d}`),
    onViewers: (n) => seen.push(`viewers ${n}`),
    onModerated: (a) => seen.push(`moderated ${a}`),
    onError: (c) => seen.push(`error ${c}`),
    onClosed: () => seen.push('closed'),
  };
  it('routes the room events and ignores other rooms', () => {
    seen.length = 0;
    dispatchChat('r', { type: 'welcome', user: { role: 'moderator' } }, h);
    dispatchChat('r', { type: 'message', room: 'r', id: 5, user: { id: 9, name: '小王' }, text: '你好', ts: 1 }, h);
    expect(dispatchChat('other', { type: 'message', room: 'r', id: 6, user: {}, text: 'x' }, h)).toBe(false);
    dispatchChat('r', { type: 'deleted', room: 'r', id: 5 }, h);
    dispatchChat('r', { type: 'likes', room: 'r', delta: 3, total: 10 }, h);
    dispatchChat('r', { type: 'moderated', room: 'r', action: 'mute' }, h);
    dispatchChat('r', { type: 'error', code: 'chat.forbidden' }, h);
    expect(seen).toEqual(['welcome moderator', 'message 5 小王 你好', 'deleted 5', 'likes 3', 'moderated mute', 'error chat.forbidden']);
  });
});
