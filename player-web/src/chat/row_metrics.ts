// Heights of chat rows without asking the layout engine: a row's height is estimated from its
// text (CJK and other wide characters count as one em, the rest as ~0.6 em) and then fixed, so
// rows never resize after they are drawn and the list never shifts while it scrolls. The list
// keeps running offsets and finds the visible rows by binary search, so thousands of messages
// cost no more to scroll than ten.

export interface RowFont {
  fontPx: number;
  linePx: number;
  paddingPx: number; // top + bottom
}

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    c >= 0x1f300 // emoji and beyond
  );
}

// Width of `text` in ems.
export function textEms(text: string): number {
  let ems = 0;
  for (const ch of text) ems += isWide(ch.codePointAt(0) ?? 0) ? 1 : 0.6;
  return ems;
}

export function rowHeight(text: string, contentWidthPx: number, font: RowFont): number {
  const perLine = Math.max(1, contentWidthPx / font.fontPx);
  const lines = Math.max(1, Math.ceil(textEms(text) / perLine));
  return lines * font.linePx + font.paddingPx;
}

// offsets[i] = top of row i; offsets[n] = total height.
export class RowOffsets {
  private tops: number[] = [0];

  get count(): number {
    return this.tops.length - 1;
  }
  get total(): number {
    return this.tops[this.tops.length - 1];
  }
  top(i: number): number {
    return this.tops[i];
  }
  height(i: number): number {
    return this.tops[i + 1] - this.tops[i];
  }

  push(height: number): void {
    this.tops.push(this.total + height);
  }

  // Drops the first `n` rows (the oldest), shifting the rest up.
  dropFront(n: number): number {
    if (n <= 0) return 0;
    const shift = this.tops[n];
    this.tops = this.tops.slice(n).map((t) => t - shift);
    return shift;
  }

  // Recomputes every height (after a width change).
  rebuild(heights: number[]): void {
    this.tops = [0];
    for (const h of heights) this.push(h);
  }

  // First and one-past-last rows intersecting [scrollTop, scrollTop + viewport), widened by
  // `overscan` rows on each side.
  visible(scrollTop: number, viewport: number, overscan = 4): [number, number] {
    const n = this.count;
    if (n === 0) return [0, 0];
    const first = this.rowAt(scrollTop);
    const last = this.rowAt(scrollTop + viewport);
    return [Math.max(0, first - overscan), Math.min(n, last + 1 + overscan)];
  }

  private rowAt(y: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.tops[mid] <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
