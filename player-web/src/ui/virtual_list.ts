// The chat message list: only the rows in view (plus a few) exist in the DOM; every row has a
// height fixed when it arrives (row_metrics.ts), so nothing moves when rows come and go, and the
// list sticks to the bottom unless the viewer scrolled up (then a "new messages" pill shows).
// Work is batched: at most one draw per 100 ms however many messages arrive.

import { RowFont, RowOffsets, rowHeight } from '../chat/row_metrics';
import { h } from './dom';

export interface RowSource<T> {
  text(item: T): string; // what decides the height (name + text)
  render(item: T): HTMLElement;
}

const MAX_ROWS = 5000;
const DROP_ROWS = 1000;
const FRAME_MS = 100;

export class VirtualList<T> {
  readonly el: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pill: HTMLButtonElement;
  private items: T[] = [];
  private offsets = new RowOffsets();
  private shown = new Map<number, HTMLElement>();
  private frame = 0;
  private stick = true;
  private width = 0;
  private viewport = 0;
  private scrollTop = 0;
  private drawnTotal = 0;
  private lastDraw = -Infinity;

  constructor(
    private readonly source: RowSource<T>,
    private readonly font: RowFont,
    pillText: string,
  ) {
    this.spacer = h('div.vlist-spacer');
    this.el = h('div.vlist', { role: 'log', 'aria-live': 'polite' }, this.spacer);
    this.pill = h('button.vlist-pill', { type: 'button', hidden: true, onclick: () => this.toBottom() }, pillText);
    this.el.addEventListener('scroll', () => {
      // Reading scrollTop inside its own scroll event costs no extra layout.
      this.scrollTop = this.el.scrollTop;
      // Against the height last drawn: rows pushed since then must not count as "scrolled up".
      this.stick = this.scrollTop + this.viewport >= this.drawnTotal - 24;
      if (this.stick) this.pill.hidden = true;
      this.schedule(true);
    }, { passive: true });
    window.addEventListener('resize', () => this.measure());
  }

  get pillEl(): HTMLButtonElement {
    return this.pill;
  }
  get count(): number {
    return this.items.length;
  }

  // Call once the element is in the document and after layout changes.
  measure(): void {
    const w = this.el.clientWidth - 24; // horizontal padding of a row
    this.viewport = this.el.clientHeight;
    if (w > 0 && Math.abs(w - this.width) > 1) {
      this.width = w;
      this.offsets.rebuild(this.items.map((it) => rowHeight(this.source.text(it), this.width, this.font)));
      this.resetRows();
    }
    this.schedule();
  }

  push(item: T): void {
    this.items.push(item);
    this.offsets.push(rowHeight(this.source.text(item), this.width || 300, this.font));
    if (this.items.length > MAX_ROWS) {
      this.items.splice(0, DROP_ROWS);
      const shift = this.offsets.dropFront(DROP_ROWS);
      this.resetRows();
      if (!this.stick) {
        this.scrollTop = Math.max(0, this.scrollTop - shift);
        this.el.scrollTop = this.scrollTop;
      }
    }
    if (!this.stick) this.pill.hidden = false;
    this.schedule();
  }

  // Re-renders rows whose item changed (e.g. a tombstone), keeping their height.
  update(match: (item: T) => boolean, change: (item: T) => T): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (!match(this.items[i])) continue;
      this.items[i] = change(this.items[i]);
      const node = this.shown.get(i);
      if (node) {
        node.remove();
        this.shown.delete(i);
      }
    }
    this.schedule();
  }

  toBottom(): void {
    this.stick = true;
    this.pill.hidden = true;
    this.schedule();
  }

  private resetRows(): void {
    for (const n of this.shown.values()) n.remove();
    this.shown.clear();
  }

  // New messages are drawn at most every FRAME_MS (a busy room would otherwise cost a layout
  // every frame); the viewer's own scrolling is drawn on the next frame.
  private schedule(now = false): void {
    if (this.frame) return;
    const draw = () => {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.lastDraw = performance.now();
        this.render();
      });
    };
    const wait = now ? 0 : this.lastDraw + FRAME_MS - performance.now();
    if (wait <= 0) {
      draw();
    } else {
      this.frame = -1;
      setTimeout(() => {
        this.frame = 0;
        draw();
      }, wait);
    }
  }

  // Only writes to the DOM (no reads), so a frame never forces a synchronous layout.
  private render(): void {
    this.spacer.style.height = this.offsets.total + 'px';
    this.drawnTotal = this.offsets.total;
    if (this.stick) this.scrollTop = Math.max(0, this.offsets.total - this.viewport);
    const [first, last] = this.offsets.visible(this.scrollTop, this.viewport || 400);
    for (const [i, node] of this.shown) {
      if (i < first || i >= last) {
        node.remove();
        this.shown.delete(i);
      }
    }
    for (let i = first; i < last; i++) {
      if (this.shown.has(i)) continue;
      const node = this.source.render(this.items[i]);
      node.classList.add('vlist-row');
      node.style.transform = `translateY(${this.offsets.top(i)}px)`;
      node.style.height = this.offsets.height(i) + 'px';
      this.spacer.appendChild(node);
      this.shown.set(i, node);
    }
    if (this.stick) this.el.scrollTop = this.scrollTop;
  }
}
