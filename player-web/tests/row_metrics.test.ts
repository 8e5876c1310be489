import { describe, expect, it } from 'vitest';
import { RowOffsets, rowHeight, textEms } from '../src/chat/row_metrics';

const font = { fontPx: 14, linePx: 20, paddingPx: 8 };

describe('chat row metrics', () => {
  it('counts CJK as wide', () => {
    expect(textEms('你好')).toBe(2);
    expect(textEms('ab')).toBeCloseTo(1.2);
  });
  it('wraps long text onto more lines', () => {
    expect(rowHeight('hi', 280, font)).toBe(28);
    expect(rowHeight('你'.repeat(40), 280, font)).toBe(48);
  });
  it('finds visible rows among thousands by offset', () => {
    const o = new RowOffsets();
    for (let i = 0; i < 10000; i++) o.push(i % 2 ? 28 : 48);
    expect(o.total).toBe(5000 * 76);
    const [a, b] = o.visible(76 * 1000, 300, 2);
    expect(a).toBe(1998);
    expect(b).toBeGreaterThan(2000 + 6);
    expect(b - a).toBeLessThan(20);
    const shift = o.dropFront(100);
    expect(shift).toBe(76 * 50);
    expect(o.count).toBe(9900);
    expect(o.top(0)).toBe(0);
  });
});
