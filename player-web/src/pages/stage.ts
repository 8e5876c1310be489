// The video stage shared by the live and replay pages: the <video> (inline on phones, also in
// WeChat's X5/XWeb browser), a state overlay, and a control bar with the quality menu and
// fullscreen. Fullscreen uses the element API where it exists, else a fixed full-window layout
// (iPhone, WeChat), so the bullet comments stay visible either way.

import { Player, PlayerState, QualityLevel } from '../player/player';
import { t } from '../i18n';
import { clear, h } from '../ui/dom';
import { iconFullscreen, setIcon } from '../ui/icons';

export interface Stage {
  root: HTMLDivElement;
  video: HTMLVideoElement;
  overlay: HTMLDivElement;
  controls: HTMLDivElement;
  qualityButton: HTMLButtonElement;
  qualityMenu: HTMLDivElement;
  player: Player | null;
}

export function createStage(live: boolean): Stage {
  const video = h('video.video', {
    playsInline: true,
    muted: live, // autoplay with sound is refused on phones; the unmute button is one tap
    autoplay: true,
    controls: !live,
    preload: 'auto',
    'webkit-playsinline': 'true',
    'x5-playsinline': 'true',
    'x5-video-player-type': 'h5-page',
  });
  const overlay = h('div.stage-overlay', { hidden: true });
  const qualityMenu = h('div.quality-menu', { hidden: true, role: 'menu' });
  const qualityButton = h('button.ctl.ctl-quality', {
    type: 'button',
    hidden: true,
    'aria-haspopup': 'menu',
    onclick: () => {
      qualityMenu.hidden = !qualityMenu.hidden;
    },
  }, t('quality'));
  const controls = h('div.controls', {});
  const root = h('div.stage', {}, video, overlay, controls, qualityMenu);
  const stage: Stage = { root, video, overlay, controls, qualityButton, qualityMenu, player: null };
  return stage;
}

export function fullscreenButton(stage: Stage, onChange: () => void): HTMLButtonElement {
  const toggle = () => {
    const el = stage.root as HTMLElement & { webkitRequestFullscreen?: () => void };
    const doc = document as Document & { webkitFullscreenElement?: Element; webkitExitFullscreen?: () => void };
    const inFs = document.fullscreenElement || doc.webkitFullscreenElement || stage.root.classList.contains('pseudo-fs');
    if (inFs) {
      if (stage.root.classList.contains('pseudo-fs')) stage.root.classList.remove('pseudo-fs');
      else if (document.exitFullscreen) void document.exitFullscreen().catch(() => {});
      else doc.webkitExitFullscreen?.();
    } else if (el.requestFullscreen) {
      el.requestFullscreen().catch(() => stage.root.classList.add('pseudo-fs'));
    } else if (el.webkitRequestFullscreen) {
      el.webkitRequestFullscreen();
    } else {
      stage.root.classList.add('pseudo-fs');
    }
    setTimeout(onChange, 100);
  };
  const button = h('button.ctl.ctl-fs', { type: 'button', 'aria-label': t('fullscreen'), title: t('fullscreen'), onclick: toggle });
  setIcon(button, iconFullscreen);
  return button;
}

export function showQuality(stage: Stage, levels: QualityLevel[], current: number): void {
  const menu = stage.qualityMenu;
  clear(menu);
  stage.qualityButton.hidden = levels.length < 2;
  const choose = (index: number) => {
    stage.player?.setLevel(index);
    menu.hidden = true;
  };
  const items: QualityLevel[] = [{ index: -1, label: t('auto') }, ...levels];
  for (const l of items) {
    menu.append(
      h(
        `button.quality-item${l.index === current ? '.selected' : ''}`,
        { type: 'button', role: 'menuitemradio', 'aria-checked': String(l.index === current), onclick: () => choose(l.index) },
        l.label,
      ),
    );
  }
  const cur = items.find((l) => l.index === current);
  stage.qualityButton.textContent = cur && current >= 0 ? cur.label : t('quality');
}

export function showOverlay(stage: Stage, content: (Node | string)[] | null): void {
  clear(stage.overlay);
  stage.overlay.hidden = !content;
  if (content) stage.overlay.append(...content);
}

export type { PlayerState };
