// Control icons as inline SVG: emoji and symbol glyphs are missing from many phones' fonts.

const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

export const iconMuted = svg('<path d="M11 5 6 9H3v6h3l5 4z"/><path d="m22 9-6 6M16 9l6 6"/>');
export const iconSound = svg('<path d="M11 5 6 9H3v6h3l5 4z"/><path d="M15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14"/>');
export const iconFullscreen = svg('<path d="M8 3H3v5M16 3h5v5M8 21H3v-5M16 21h5v-5"/>');

export function setIcon(el: HTMLElement, icon: string): void {
  el.innerHTML = icon;
}
