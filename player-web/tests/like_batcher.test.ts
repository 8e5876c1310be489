import { describe, expect, it } from 'vitest';
import { LikeBatcher } from '../src/likes/like_batcher';
import { ManualTimers } from './fake_socket';

function setup(connected = true) {
  const timers = new ManualTimers();
  const sent: number[] = [];
  const state = { connected };
  const b = new LikeBatcher({
    flushMs: 250,
    maxPerSecond: 10,
    send: (n) => {
      if (!state.connected) return false;
      sent.push(n);
      return true;
    },
    now: () => timers.now,
    timers,
  });
  return { b, timers, sent, state };
}

describe('like batching', () => {
  it('sends one like command per interval with the number of taps', () => {
    const { b, timers, sent } = setup();
    for (let i = 0; i < 5; i++) b.tap();
    expect(sent).toEqual([]);
    timers.advance(250);
    expect(sent).toEqual([5]);
    b.tap();
    b.tap();
    timers.advance(250);
    expect(sent).toEqual([5, 2]);
  });

  it('counts at most maxPerSecond taps a second', () => {
    const { b, timers, sent } = setup();
    let counted = 0;
    for (let i = 0; i < 30; i++) if (b.tap()) counted++;
    expect(counted).toBe(10);
    timers.advance(1000);
    for (let i = 0; i < 3; i++) b.tap();
    timers.advance(250);
    expect(sent).toEqual([10, 3]);
  });

  it('shows the room total plus own taps not yet counted by the server', () => {
    const { b, timers } = setup();
    b.onTotal(100);
    b.tap();
    b.tap();
    expect(b.total).toBe(102);
    timers.advance(250);
    expect(b.total).toBe(102);
    b.onTotal(107); // includes our 2 and 5 from others
    expect(b.total).toBe(107);
    b.onTotal(90); // stale: ignored
    expect(b.total).toBe(107);
  });

  it('keeps taps while disconnected and sends them later', () => {
    const { b, timers, sent, state } = setup(false);
    b.tap();
    b.tap();
    timers.advance(250);
    expect(sent).toEqual([]);
    state.connected = true;
    timers.advance(1000);
    expect(sent).toEqual([2]);
  });
});
