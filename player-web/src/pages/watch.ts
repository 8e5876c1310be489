// /watch/<name>: the live page. Video first (it starts loading before anything else is asked),
// then the stream's facts from the public API, the chat, bullet comments and likes.
// States: loading, live, offline (polled until the publisher is back), ended (with a link to
// the replay once the recording is listed), upcoming (countdown, when the API gives a start).

import { LiveStream, chatToken, fetchRecordings, fetchStreams, tokenFromUrl, wsUrl } from '../api';
import { ChatClient } from '../chat/chat_client';
import { Danmaku, loadSettings } from '../danmaku/danmaku';
import { Density } from '../danmaku/lane_layout';
import { formatCount, t } from '../i18n';
import { Hearts } from '../likes/hearts';
import { LikeBatcher } from '../likes/like_batcher';
import { Player, PlayerState } from '../player/player';
import { ChatPanel } from '../ui/chat_panel';
import { h } from '../ui/dom';
import { iconMuted, iconSound, setIcon } from '../ui/icons';
import { createStage, fullscreenButton, showOverlay, showQuality } from './stage';
import { topBar } from './top_bar';

const STALL_NOTE_MS = 2000;

function countdown(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return (d > 0 ? `${d}d ` : '') + `${hh}:${mm}:${ss}`;
}

export function watchPage(root: HTMLElement, name: string): void {
  document.title = name;
  const stage = createStage(true);
  const title = h('h1.info-title', {}, name);
  const badge = h('span.badge', {}, '');
  const viewers = h('span.info-viewers', {}, '');
  const likesLabel = h('span.like-count', {}, '0');
  const infobar = h('div.infobar', {}, h('div.info-main', {}, badge, title), viewers);

  // Controls over the video.
  const unmute = h('button.ctl.ctl-unmute', { type: 'button', 'aria-label': 'sound' });
  setIcon(unmute, iconMuted);
  unmute.addEventListener('click', () => {
    stage.video.muted = !stage.video.muted;
    setIcon(unmute, stage.video.muted ? iconMuted : iconSound);
    void stage.video.play().catch(() => {});
  });
  const latency = h('span.latency', {}, '');
  const backToLive = h('button.ctl.ctl-live', { type: 'button', hidden: true }, t('backToLive'));
  const settings = loadSettings();
  const dmToggle = h('button.ctl.ctl-dm', { type: 'button', 'aria-pressed': String(settings.on) }, settings.on ? t('danmakuOn') : t('danmakuOff'));
  const densityNames: Record<Density, string> = { low: t('densityLow'), medium: t('densityMedium'), high: t('densityHigh') };
  const densityBtn = h('button.ctl.ctl-density', { type: 'button', hidden: !settings.on, 'aria-label': t('density') }, `${t('density')}:${densityNames[settings.density]}`);
  const layer = h('div.danmaku-layer', { 'aria-hidden': 'true' });
  const heartsLayer = h('div.hearts', { 'aria-hidden': 'true' });
  const likeBtn = h('button.like-btn', { type: 'button', 'aria-label': t('like') }, h('span.like-icon', {}, '♥'), likesLabel);
  stage.root.insertBefore(layer, stage.overlay);
  stage.root.append(heartsLayer, likeBtn);
  const fs = fullscreenButton(stage, () => danmaku.resize());
  stage.controls.append(unmute, latency, backToLive, h('span.spacer'), dmToggle, densityBtn, stage.qualityButton, fs);

  const danmaku = new Danmaku(layer, settings);
  dmToggle.addEventListener('click', () => {
    const on = !danmaku.settings.on;
    danmaku.set({ ...danmaku.settings, on });
    dmToggle.textContent = on ? t('danmakuOn') : t('danmakuOff');
    dmToggle.setAttribute('aria-pressed', String(on));
    densityBtn.hidden = !on;
  });
  densityBtn.addEventListener('click', () => {
    const order: Density[] = ['low', 'medium', 'high'];
    const next = order[(order.indexOf(danmaku.settings.density) + 1) % order.length];
    danmaku.set({ ...danmaku.settings, density: next });
    densityBtn.textContent = `${t('density')}:${densityNames[next]}`;
  });

  // Page state.
  let info: LiveStream | null = null;
  let playerState: PlayerState = 'loading';
  let replayId: string | null = null;
  let mediaViewers: number | null = null;
  let chatViewers: number | null = null;
  // A video left waiting for data (parts that do not come, or that the browser cannot use)
  // is said to be reconnecting after a while, though hls.js may have no error to report.
  let waitingSince = 0;
  let stalled = false;
  stage.video.addEventListener('waiting', () => (waitingSince = Date.now()));
  stage.video.addEventListener('playing', () => {
    waitingSince = 0;
    if (stalled) render();
  });

  const render = () => {
    const live = playerState === 'playing' || playerState === 'recovering';
    const upcoming = !live && info?.startsAt && info.startsAt > Date.now();
    stage.root.dataset.state = live ? 'live' : upcoming ? 'upcoming' : playerState;
    // Before the event: its poster (the CMS's, through the public listing) behind the countdown.
    if (upcoming && info?.thumbnail && stage.video.getAttribute('poster') !== info.thumbnail) stage.video.poster = info.thumbnail;
    else if (!upcoming && stage.video.hasAttribute('poster')) stage.video.removeAttribute('poster');
    badge.textContent = live ? t('stateLive') : upcoming ? t('stateUpcoming') : playerState === 'ended' ? t('stateEnded') : '';
    badge.className = 'badge' + (live ? ' badge-live' : '');
    if (info) title.textContent = info.title;
    const n = mediaViewers ?? chatViewers;
    viewers.textContent = n === null ? '' : t('viewers', { n: formatCount(n) });
    if (!live) latency.textContent = '';
    stalled = playerState === 'playing' && waitingSince > 0 && !stage.video.paused && Date.now() - waitingSince > STALL_NOTE_MS;
    if (playerState === 'playing' && !stalled) showOverlay(stage, null);
    else if (playerState === 'recovering' || stalled) showOverlay(stage, [h('p.overlay-note', {}, t('reconnectingVideo'))]);
    else if (upcoming && info?.startsAt) {
      showOverlay(stage, [h('p.overlay-title', {}, t('stateUpcoming')), h('p.overlay-count', {}, t('startsIn', { t: countdown(info.startsAt - Date.now()) }))]);
    } else if (playerState === 'ended') {
      showOverlay(stage, [
        h('p.overlay-title', {}, t('stateEnded')),
        replayId ? h('a.overlay-link', { href: `/replay/${encodeURIComponent(replayId)}` }, t('watchReplay')) : null,
      ].filter(Boolean) as Node[]);
    } else if (playerState === 'offline') showOverlay(stage, [h('p.overlay-title', {}, t('stateOffline'))]);
    else showOverlay(stage, [h('div.spinner', { 'aria-label': 'loading' })]);
  };

  const player = new Player(stage.video, `/live/${encodeURIComponent(name)}/master.m3u8`, { live: true }, {
    state: (s) => {
      playerState = s;
      if (s === 'ended') void findReplay();
      // Playing: the stream's ladder is known by now (the player adds renditions it lacks).
      if (s === 'playing' && !info?.renditions) void refreshInfo();
      render();
    },
    levels: (levels, current) => showQuality(stage, levels, current),
  });
  stage.player = player;
  (window as unknown as { hubPlayer?: Player }).hubPlayer = player;
  void player.start();

  const findReplay = async () => {
    try {
      const recs = (await fetchRecordings()).filter((r) => r.stream === name);
      recs.sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
      replayId = recs.length ? recs[0].id : null;
      render();
    } catch {
      /* the link appears on the next try */
    }
  };

  const refreshInfo = async () => {
    try {
      const list = await fetchStreams();
      info = list.find((s) => s.name === name) ?? info;
      if (info?.renditions) player.expectLevels(info.renditions);
      mediaViewers = list.find((s) => s.name === name)?.viewers ?? null;
      if (info?.recordingId) replayId = info.recordingId;
    } catch {
      /* the media API may not be there yet: the video alone decides the state */
    }
    render();
  };
  void refreshInfo();
  setInterval(() => void refreshInfo(), 15_000);
  let replayTries = 0;
  setInterval(() => {
    const l = player.latency();
    latency.textContent = l === null || playerState !== 'playing' ? '' : t('latency', { s: l.toFixed(1) });
    backToLive.hidden = !(playerState === 'playing' && (player.behindLive() || stage.video.paused));
    if (info?.startsAt && playerState !== 'playing') render();
    else if (playerState === 'playing' && waitingSince > 0 && !stalled && Date.now() - waitingSince > STALL_NOTE_MS) render();
    // The recording is listed a moment after the stream ends (it is finished on disk first):
    // look again every few seconds until the replay link can be shown.
    if (playerState === 'ended' && !replayId && ++replayTries % 3 === 0) void findReplay();
  }, 1000);
  backToLive.addEventListener('click', () => player.goLive());

  // Chat, likes.
  const urlToken = tokenFromUrl();
  const client = new ChatClient({
    url: wsUrl(),
    room: name,
    getToken: (fresh) => (urlToken && !fresh ? Promise.resolve(urlToken) : chatToken(fresh)),
  });
  const hearts = new Hearts(heartsLayer);
  const likes = new LikeBatcher({
    flushMs: 300,
    maxPerSecond: 15,
    send: (n) => client.like(n),
    now: () => Date.now(),
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (x) => clearTimeout(x as ReturnType<typeof setTimeout>) },
  });
  const showLikes = () => {
    likesLabel.textContent = formatCount(likes.total);
  };
  likeBtn.addEventListener('click', () => {
    if (likes.tap()) hearts.burst(1);
    showLikes();
  });
  const panel = new ChatPanel(client, {
    onMessage: (text, own) => danmaku.add(text, own),
    onLikes: (total, delta) => {
      const before = likes.total;
      likes.onTotal(total);
      if (likes.total > before && delta > 0) hearts.burst(Math.min(3, delta));
      showLikes();
    },
    onViewers: (count) => {
      chatViewers = count;
      render();
    },
  });

  root.append(
    h('div.watch', {}, topBar(true), h('div.watch-main', {}, stage.root, infobar), panel.el),
  );
  panel.measure();
  danmaku.resize();
  // A phone turned (or a window resized): the list and the bullet lanes take the new size.
  let relayout: ReturnType<typeof setTimeout> | null = null;
  const onResize = () => {
    if (relayout) clearTimeout(relayout);
    relayout = setTimeout(() => {
      panel.measure();
      danmaku.resize();
    }, 200);
  };
  window.addEventListener('orientationchange', onResize);
  window.addEventListener('resize', onResize);
  client.connect();
  render();
}
