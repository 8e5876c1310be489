// Floating hearts rising from the like button; a few at most at a time, so a tap storm stays
// cheap. Pure CSS animation, removed when it ends.

const MAX_HEARTS = 24;
const COLORS = ['#ff4d6d', '#ff7aa2', '#ffb703', '#fb5607', '#ff006e', '#8338ec'];

export class Hearts {
  private live = 0;
  constructor(private readonly layer: HTMLElement) {}

  burst(n = 1): void {
    for (let i = 0; i < n && this.live < MAX_HEARTS; i++) {
      const el = document.createElement('span');
      el.className = 'heart';
      el.textContent = '♥';
      el.style.color = COLORS[Math.floor(Math.random() * COLORS.length)];
      el.style.setProperty('--dx', Math.round((Math.random() - 0.5) * 80) + 'px');
      el.style.animationDelay = i * 90 + 'ms';
      el.addEventListener('animationend', () => {
        el.remove();
        this.live--;
      });
      this.layer.appendChild(el);
      this.live++;
    }
  }
}
