// /: live now, upcoming (streams with a start time in the future, once the CMS provides them)
// and replays, each card with its thumbnail. Refreshed every 15 s; a failed load says so and
// retries, keeping what was shown.

import { LiveStream, Recording, fetchRecordings, fetchStreams } from '../api';
import { currentLang, formatCount, formatDuration, t } from '../i18n';
import { clear, h } from '../ui/dom';
import { topBar } from './top_bar';

function thumb(src: string, alt: string): HTMLElement {
  if (!src) return h('div.card-media');
  const img = h('img.card-thumb', { src, alt, loading: 'lazy', decoding: 'async', width: 320, height: 180 });
  img.addEventListener('error', () => img.classList.add('no-thumb'), { once: true });
  return h('div.card-media', {}, img);
}

function liveCard(s: LiveStream): HTMLElement {
  return h(
    'a.card',
    { href: `/watch/${encodeURIComponent(s.name)}` },
    thumb(s.thumbnail, s.title),
    h('span.badge.badge-live.card-badge', {}, t('stateLive')),
    h('div.card-body', {}, h('div.card-title', {}, s.title), h('div.card-meta', {}, t('viewers', { n: formatCount(s.viewers) }))),
  );
}

function upcomingCard(s: LiveStream): HTMLElement {
  const when = new Date(s.startsAt ?? 0).toLocaleString(currentLang(), {
    timeZone: 'Asia/Shanghai',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  return h(
    'a.card',
    { href: `/watch/${encodeURIComponent(s.name)}` },
    thumb(s.thumbnail, s.title),
    h('div.card-body', {}, h('div.card-title', {}, s.title), h('div.card-meta', {}, when)),
  );
}

// "2026/11/29 · 1:02:03": when a recording started (China time) and how long it runs.
export function recordingMeta(r: Recording): string {
  const meta: string[] = [];
  if (r.startedAt) meta.push(new Date(r.startedAt).toLocaleDateString(currentLang(), { timeZone: 'Asia/Shanghai' }));
  if (r.durationSeconds) meta.push(formatDuration(r.durationSeconds));
  return meta.join(' · ');
}

function replayCard(r: Recording): HTMLElement {
  return h(
    'a.card',
    { href: `/replay/${encodeURIComponent(r.id)}` },
    thumb(r.thumbnail, r.title),
    h('div.card-body', {}, h('div.card-title', {}, r.title), h('div.card-meta', {}, recordingMeta(r))),
  );
}

function section(title: string, id: string): { el: HTMLElement; grid: HTMLElement; note: HTMLElement } {
  const grid = h('div.grid');
  const note = h('p.empty', {});
  const el = h('section.home-section', { id }, h('h2', {}, title), note, grid);
  return { el, grid, note };
}

function fill<T>(s: ReturnType<typeof section>, items: T[] | null, card: (x: T) => HTMLElement, empty: string): void {
  if (items === null) {
    if (!s.grid.firstChild) s.note.textContent = t('loadFailed');
    return;
  }
  clear(s.grid);
  s.note.textContent = items.length ? '' : empty;
  for (const it of items) s.grid.append(card(it));
}

export function homePage(root: HTMLElement): void {
  document.title = t('appName');
  const live = section(t('liveNow'), 'live');
  const upcoming = section(t('upcoming'), 'upcoming');
  const replays = section(t('replays'), 'replays');
  root.append(h('div.home', {}, topBar(false), h('main.home-main', {}, live.el, upcoming.el, replays.el)));

  const load = async () => {
    const [streams, recs] = await Promise.all([
      fetchStreams().catch(() => null),
      fetchRecordings().catch(() => null),
    ]);
    const now = Date.now();
    fill(live, streams && streams.filter((s) => s.live), liveCard, t('noLive'));
    fill(upcoming, streams && streams.filter((s) => !s.live && s.startsAt !== null && s.startsAt > now), upcomingCard, t('noUpcoming'));
    fill(replays, recs && recs.sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0)), replayCard, t('noReplays'));
    root.dataset.loaded = 'true';
  };
  void load();
  setInterval(() => void load(), 15_000);
}
