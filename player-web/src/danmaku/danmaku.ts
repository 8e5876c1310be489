// Bullet comments drawn over the video: each message becomes a span that crosses the stage in
// a lane chosen by LaneLayout (no overlap, longer ones faster). Widths are estimated from the
// text, never measured, so a burst of comments forces no layout. On/off and density are kept
// per device in localStorage.

import { textEms } from '../chat/row_metrics';
import { storageGet, storageSet } from '../ui/dom';
import { Density, LaneLayout, densityShare } from './lane_layout';

const SETTINGS_KEY = 'hub.danmaku';
// Phone-sized stages get smaller bullets (more lanes, shorter lines): 16 px under 600 px wide.
const FONT_PX = 20;
const FONT_PX_NARROW = 16;
// Room kept free at the bottom: the like button (56 px + margin) and subtitles.
const BOTTOM_PX = 64;
const MAX_ON_SCREEN = 120;

export interface DanmakuSettings {
  on: boolean;
  density: Density;
}

export function loadSettings(): DanmakuSettings {
  try {
    const s = JSON.parse(storageGet(SETTINGS_KEY) ?? '{}');
    const density: Density = s.density === 'low' || s.density === 'high' ? s.density : 'medium';
    return { on: s.on !== false, density };
  } catch {
    return { on: true, density: 'medium' };
  }
}

export function saveSettings(s: DanmakuSettings): void {
  storageSet(SETTINGS_KEY, JSON.stringify(s));
}

export class Danmaku {
  private layout: LaneLayout;
  private onScreen = 0;
  dropped = 0;

  constructor(
    private readonly layer: HTMLElement,
    public settings: DanmakuSettings,
  ) {
    this.layout = new LaneLayout({ lanes: 1, width: 1, durationMs: 8000, gap: 24 });
    this.resize();
    // The stage is laid out after this runs (and changes with rotation and fullscreen): lanes
    // follow its real size.
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.resize()).observe(layer);
    window.addEventListener('resize', () => this.resize());
    document.addEventListener('fullscreenchange', () => setTimeout(() => this.resize(), 50));
    this.apply();
  }

  resize(): void {
    const w = this.layer.clientWidth || 320;
    const hgt = this.layer.clientHeight || 180;
    this.fontPx = w < 600 ? FONT_PX_NARROW : FONT_PX;
    this.lanePx = Math.round(this.fontPx * 1.5);
    this.layer.style.setProperty('--dm-font', this.fontPx + 'px');
    this.layer.style.setProperty('--dm-lane', this.lanePx + 'px');
    // Lanes over the upper three quarters at most, and never behind the like button.
    const usable = Math.min(hgt * 0.75, hgt - BOTTOM_PX);
    this.layout.resize(w, Math.max(1, Math.floor(usable / this.lanePx)));
    this.width = w;
  }
  private width = 320;
  private fontPx = FONT_PX;
  private lanePx = Math.round(FONT_PX * 1.5);

  set(settings: DanmakuSettings): void {
    this.settings = settings;
    saveSettings(settings);
    this.apply();
  }

  // Shows `text`; own comments get a frame, may use every lane and are never dropped.
  add(text: string, own: boolean): boolean {
    if (!this.settings.on || this.onScreen >= MAX_ON_SCREEN || document.hidden) return false;
    const width = Math.ceil(textEms(text) * this.fontPx) + 8;
    const now = performance.now();
    const place = own ? this.layout.placeOwn(now, width) : this.layout.place(now, width, densityShare(this.settings.density));
    if (!place) {
      this.dropped++;
      return false;
    }
    const span = document.createElement('span');
    span.className = own ? 'dm dm-own' : 'dm';
    span.textContent = text;
    span.style.top = place.lane * this.lanePx + 'px';
    const done = () => {
      span.remove();
      this.onScreen--;
    };
    this.layer.appendChild(span);
    if (typeof span.animate === 'function') {
      // Web Animations on transform run on the compositor, off the main thread.
      const a = span.animate([{ transform: `translateX(${this.width}px)` }, { transform: `translateX(${-width}px)` }], {
        duration: place.durationMs,
        easing: 'linear',
        fill: 'forwards',
      });
      a.onfinish = done;
    } else {
      span.classList.add('dm-css');
      span.style.setProperty('--from', this.width + 'px');
      span.style.setProperty('--to', -width + 'px');
      span.style.animationDuration = place.durationMs + 'ms';
      span.addEventListener('animationend', done);
    }
    this.onScreen++;
    return true;
  }

  private apply(): void {
    this.layer.hidden = !this.settings.on;
    if (!this.settings.on) {
      while (this.layer.firstChild) this.layer.removeChild(this.layer.firstChild);
      this.onScreen = 0;
    }
  }
}
