// The member's daily steps as bars: one bar per day of the challenge so far, the counted part
// (up to the daily cap) solid, a dashed line at the qualifying threshold. The geometry is a
// pure function (tested in Node); stepsChart() turns it into an inline SVG.

export interface DaySteps {
  date: string; // YYYY-MM-DD, the member's day in Asia/Shanghai
  steps: number; // the best report of that day
}

export interface ChartBar {
  date: string;
  x: number;
  width: number;
  y: number; // top of the bar
  height: number;
  qualified: boolean;
  label: string; // "11/29"
}

export interface ChartGeometry {
  width: number;
  height: number;
  bars: ChartBar[];
  qualifyY: number | null; // the threshold line, when it fits the scale
  maxSteps: number; // the value at the top of the scale
}

const PAD_TOP = 14; // room for the scale's top value
const PAD_BOTTOM = 18; // room for the date labels

// A scale top that reads well: 1, 2 or 5 times a power of ten, at least the largest value.
export function niceCeiling(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function chartGeometry(days: DaySteps[], opts: { width: number; height: number; cap: number; qualify: number }): ChartGeometry {
  const { width, height } = opts;
  const counted = (s: number) => (opts.cap > 0 ? Math.min(s, opts.cap) : s);
  const top = niceCeiling(Math.max(opts.qualify, ...days.map((d) => counted(Math.max(0, d.steps)))));
  const plot = height - PAD_TOP - PAD_BOTTOM;
  const slot = days.length ? width / days.length : width;
  const barWidth = Math.max(2, Math.min(28, slot * 0.7));
  const bars = days.map((d, i) => {
    const v = counted(Math.max(0, d.steps));
    const h = Math.round((v / top) * plot);
    return {
      date: d.date,
      x: Math.round(i * slot + (slot - barWidth) / 2),
      width: Math.round(barWidth),
      y: PAD_TOP + plot - h,
      height: h,
      qualified: opts.qualify > 0 && v >= opts.qualify,
      label: `${Number(d.date.slice(5, 7))}/${Number(d.date.slice(8, 10))}`,
    };
  });
  const qualifyY = opts.qualify > 0 ? PAD_TOP + plot - Math.round((opts.qualify / top) * plot) : null;
  return { width, height, bars, qualifyY, maxSteps: top };
}

const SVG = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function stepsChart(
  days: DaySteps[],
  opts: { width: number; height: number; cap: number; qualify: number; title: string; scaleLabel: (steps: number) => string },
): SVGElement {
  const g = chartGeometry(days, opts);
  const svg = el('svg', { viewBox: `0 0 ${g.width} ${g.height}`, class: 'steps-chart', role: 'img', 'aria-label': opts.title });
  // Show every label when they fit, else about six of them.
  const every = Math.max(1, Math.ceil(g.bars.length / 6));
  g.bars.forEach((b, i) => {
    const rect = el('rect', { x: b.x, y: b.y, width: b.width, height: Math.max(b.height, 1), rx: 2, class: b.qualified ? 'bar bar-ok' : 'bar' });
    const tip = el('title', {});
    tip.textContent = `${b.date}: ${days[i].steps}`;
    rect.append(tip);
    svg.append(rect);
    const lastIndex = g.bars.length - 1;
    const regular = i % every === 0 && lastIndex - i >= every * 0.8; // not crowding the last one
    if (regular || i === lastIndex) {
      // The first label starts at its bar and the last ends at its bar, so neither is clipped.
      const anchor = i === 0 ? 'start' : i === lastIndex ? 'end' : 'middle';
      const x = anchor === 'start' ? b.x : anchor === 'end' ? b.x + b.width : b.x + b.width / 2;
      const text = el('text', { x, y: g.height - 4, 'text-anchor': anchor, class: 'bar-label' });
      text.textContent = b.label;
      svg.append(text);
    }
  });
  if (g.qualifyY !== null) svg.append(el('line', { x1: 0, x2: g.width, y1: g.qualifyY, y2: g.qualifyY, class: 'qualify-line' }));
  const scale = el('text', { x: 0, y: 10, class: 'bar-label' });
  scale.textContent = opts.scaleLabel(g.maxSteps);
  svg.append(scale);
  return svg;
}
