import { describe, expect, it } from 'vitest';
import { LaneLayout, densityShare } from '../src/danmaku/lane_layout';

const opts = { lanes: 4, width: 1000, durationMs: 8000, gap: 20 };

// Left edge of a bullet at time t.
const left = (start: number, speed: number, t: number) => 1000 - speed * (t - start);

describe('danmaku lane layout', () => {
  it('uses the top lane first and the next lanes while it is busy', () => {
    const l = new LaneLayout(opts);
    expect(l.place(0, 200)?.lane).toBe(0);
    expect(l.place(10, 200)?.lane).toBe(1);
    expect(l.place(20, 200)?.lane).toBe(2);
  });

  it('always places an own comment: in a free lane, else where the lane is clearest', () => {
    const l = new LaneLayout({ ...opts, lanes: 2 });
    expect(l.place(0, 200)?.lane).toBe(0);
    expect(l.place(1000, 200)?.lane).toBe(1);
    expect(l.place(1100, 200)).toBeNull();
    // Lane 0's bullet started first, so it is furthest along.
    expect(l.placeOwn(1100, 200).lane).toBe(0);
    const fresh = new LaneLayout({ ...opts, lanes: 2 });
    expect(fresh.placeOwn(0, 100).lane).toBe(0);
  });

  it('makes longer bullets faster, all crossing in the same time', () => {
    const l = new LaneLayout(opts);
    const short = l.place(0, 100)!;
    const long = l.place(0, 600)!;
    expect(long.speed).toBeGreaterThan(short.speed);
    expect(short.speed * 8000).toBeCloseTo(1100);
    expect(long.speed * 8000).toBeCloseTo(1600);
  });

  it('reuses a lane once the bullet ahead has entered and cannot be caught', () => {
    const l = new LaneLayout({ ...opts, lanes: 1 });
    const a = l.place(0, 300)!; // speed 1300/8000
    expect(l.place(500, 300)).toBeNull(); // tail not yet in the screen
    const t = Math.ceil((300 + 20) / a.speed);
    const b = l.place(t, 300)!; // same length: same speed, never catches up
    expect(b.lane).toBe(0);
  });

  it('never lets a faster bullet catch the one ahead (no overlap at any time)', () => {
    const l = new LaneLayout({ ...opts, lanes: 1 });
    const slow = l.place(0, 50)!;
    // A long, fast bullet right after the short one has entered would catch it: refused.
    const tEnter = Math.ceil((50 + 20) / slow.speed);
    expect(l.place(tEnter, 900)).toBeNull();
    // Search the first time it is accepted and check the gap over the whole crossing.
    let t = tEnter;
    let fast = null;
    while (!fast) fast = l.place((t += 50), 900);
    for (let now = t; now <= 8000 + t; now += 10) {
      const slowTail = left(0, slow.speed, now) + 50;
      if (slowTail <= 0) break;
      expect(left(t, fast.speed, now)).toBeGreaterThanOrEqual(slowTail + 20 - 1e-6);
    }
  });

  it('fuzzes random arrivals: no two bullets of a lane ever overlap', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const l = new LaneLayout(opts);
    const placed: { lane: number; start: number; w: number; v: number }[] = [];
    for (let t = 0; t < 60000; t += Math.floor(rnd() * 300)) {
      const w = 40 + Math.floor(rnd() * 700);
      const p = l.place(t, w);
      if (p) placed.push({ lane: p.lane, start: t, w, v: p.speed });
    }
    expect(placed.length).toBeGreaterThan(50);
    for (let lane = 0; lane < 4; lane++) {
      const inLane = placed.filter((p) => p.lane === lane);
      for (let i = 1; i < inLane.length; i++) {
        const a = inLane[i - 1];
        const b = inLane[i];
        for (let now = b.start; now < b.start + 8000; now += 25) {
          const aTail = left(a.start, a.v, now) + a.w;
          if (aTail <= 0) break;
          expect(left(b.start, b.v, now)).toBeGreaterThanOrEqual(aTail + 20 - 1e-6);
        }
      }
    }
  });

  it('limits the lanes by density and drops what does not fit', () => {
    const l = new LaneLayout({ ...opts, lanes: 6 });
    const share = densityShare('low');
    expect(l.place(0, 100, share)?.lane).toBe(0);
    expect(l.place(0, 100, share)?.lane).toBe(1);
    expect(l.place(0, 100, share)).toBeNull();
    expect(l.place(0, 100, densityShare('high'))?.lane).toBe(2);
  });

  it('keeps working after a resize', () => {
    const l = new LaneLayout(opts);
    l.place(0, 100);
    l.resize(400, 2);
    expect(l.place(0, 100)?.lane).toBe(1);
    expect(l.place(0, 100)).toBeNull();
  });
});
