// Where a bullet comment goes: the top-most lane in which it neither touches the bullet ahead
// when it enters nor catches up with it before that one has left the screen. Every bullet
// crosses the screen in the same time, so longer ones move faster ("speed by length").
// Pure arithmetic on pixels and milliseconds: the renderer measures, this decides.

export interface LaneOptions {
  lanes: number; // lanes that fit the video's height
  width: number; // stage width in px
  durationMs: number; // time for a bullet to cross: (width + its width) / speed
  gap: number; // px kept between two bullets of a lane
}

export interface Placement {
  lane: number;
  durationMs: number;
  speed: number; // px per ms
}

interface Occupant {
  start: number;
  width: number;
  speed: number;
}

export type Density = 'low' | 'medium' | 'high';

export function densityShare(d: Density): number {
  return d === 'low' ? 1 / 3 : d === 'medium' ? 2 / 3 : 1;
}

export class LaneLayout {
  private last: (Occupant | null)[];

  constructor(private opts: LaneOptions) {
    this.last = new Array(opts.lanes).fill(null);
  }

  resize(width: number, lanes: number): void {
    this.opts = { ...this.opts, width, lanes };
    this.last = this.last.slice(0, lanes);
    while (this.last.length < lanes) this.last.push(null);
  }

  // Places a bullet `width` px wide at time `now` in the first `share` of the lanes, or returns
  // null when every such lane is busy (the bullet is dropped, never drawn over another).
  place(now: number, width: number, share = 1): Placement | null {
    const usable = Math.max(1, Math.ceil(this.opts.lanes * share));
    const speed = (this.opts.width + width) / this.opts.durationMs;
    for (let lane = 0; lane < Math.min(usable, this.last.length); lane++) {
      if (this.fits(this.last[lane], now, speed)) {
        this.last[lane] = { start: now, width, speed };
        return { lane, durationMs: this.opts.durationMs, speed };
      }
    }
    return null;
  }

  // An own comment is always shown: in a free lane when there is one, otherwise in the lane
  // whose last bullet has gone furthest (the only case where two bullets may touch).
  placeOwn(now: number, width: number): Placement {
    const free = this.place(now, width, 1);
    if (free) return free;
    const speed = (this.opts.width + width) / this.opts.durationMs;
    let best = 0;
    let bestTravelled = -Infinity;
    this.last.forEach((o, lane) => {
      const travelled = o ? o.speed * (now - o.start) - o.width : Infinity;
      if (travelled > bestTravelled) {
        bestTravelled = travelled;
        best = lane;
      }
    });
    this.last[best] = { start: now, width, speed };
    return { lane: best, durationMs: this.opts.durationMs, speed };
  }

  private fits(ahead: Occupant | null, now: number, speed: number): boolean {
    if (!ahead) return true;
    const W = this.opts.width;
    const gap = this.opts.gap;
    const travelled = ahead.speed * (now - ahead.start);
    // Its tail must be inside the screen with room to spare before we enter.
    if (travelled < ahead.width + gap) return false;
    if (speed <= ahead.speed) return true;
    // We are faster: when its tail leaves at x = 0, our head must still be at least `gap` away.
    const tailLeavesIn = (W + ahead.width) / ahead.speed - (now - ahead.start);
    if (tailLeavesIn <= 0) return true;
    return W - speed * tailLeavesIn >= gap;
  }
}
