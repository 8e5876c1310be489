// Live events in the studio's analytics: reading the hub's answers
// (GET /api/v1/analytics/live-events and .../live-events/<id>), the watch-time text, the chart
// series and the CSV rows of the table and of one event's minutes.

import type { Cell } from './csv';
import type { Point, Series } from './live';

export interface LiveFigures {
  peakViewers: number;
  plays: number;
  watchMs: number;
  replayPlays: number; // of the event's recordings (/vod), apart from the live plays
  replayWatchMs: number;
  likes: number;
  messages: number;
}

export interface LiveEventRow extends LiveFigures {
  id: number;
  title: string;
  state: string;
  startsAt: string;
}

export interface LiveMinute {
  minute: number; // ms since the epoch, start of the minute
  viewers: number | null; // null: no health sample in that minute (not live)
  likes: number;
  messages: number;
}

const num = (v: unknown) => (typeof v === 'number' && isFinite(v) ? v : 0);

function figures(m: Record<string, unknown>): LiveFigures {
  return {
    peakViewers: num(m.peak_viewers),
    plays: num(m.plays),
    watchMs: num(m.watch_ms),
    replayPlays: num(m.replay_plays),
    replayWatchMs: num(m.replay_watch_ms),
    likes: num(m.likes),
    messages: num(m.messages),
  };
}

export function readEventRows(v: unknown): LiveEventRow[] {
  const events = (v as { events?: unknown })?.events;
  if (!Array.isArray(events)) return [];
  return events.map((x) => {
    const m = (x ?? {}) as Record<string, unknown>;
    return { id: num(m.event_id), title: String(m.title ?? ''), state: String(m.state ?? ''), startsAt: String(m.starts_at ?? ''), ...figures(m) };
  });
}

// One event's minutes: viewers (the most in a health sample of the minute) beside the chat's
// likes and messages, every minute either side has, oldest first.
export function readMinutes(v: unknown): LiveMinute[] {
  const d = (v ?? {}) as { viewers?: unknown; chat?: unknown };
  const byMinute = new Map<number, LiveMinute>();
  const at = (minute: number) => {
    let m = byMinute.get(minute);
    if (!m) byMinute.set(minute, (m = { minute, viewers: null, likes: 0, messages: 0 }));
    return m;
  };
  for (const x of Array.isArray(d.viewers) ? d.viewers : []) {
    const r = (x ?? {}) as Record<string, unknown>;
    at(num(r.minute_ms)).viewers = num(r.viewers);
  }
  for (const x of Array.isArray(d.chat) ? d.chat : []) {
    const r = (x ?? {}) as Record<string, unknown>;
    const m = at(num(r.minute_ms));
    m.likes = num(r.likes);
    m.messages = num(r.messages);
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

// "2:05:09" (hours, minutes, seconds) or "5:09" under an hour.
export function watchTimeText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const rest = `${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return h ? `${h}:${rest}` : rest.replace(/^0/, '');
}

// Watch time in minutes with one decimal, for CSV cells a spreadsheet can add up.
export const watchMinutes = (ms: number) => Math.round(ms / 6000) / 10;

export function minuteSeries(minutes: LiveMinute[], names: { viewers: string; likes: string; messages: string }): { viewers: Series[]; chat: Series[] } {
  const pts = (f: (m: LiveMinute) => number | null) =>
    minutes.filter((m) => f(m) !== null).map((m) => [m.minute, f(m) as number] as Point);
  return {
    viewers: [{ name: names.viewers, points: pts((m) => m.viewers) }],
    chat: [
      { name: names.likes, points: pts((m) => m.likes) },
      { name: names.messages, points: pts((m) => m.messages) },
    ],
  };
}

export function eventsCsv(rows: LiveEventRow[], header: Cell[], stateText: (s: string) => string, time: (s: string) => string): Cell[][] {
  return [header, ...rows.map((r) => [r.title, time(r.startsAt), stateText(r.state), r.peakViewers, r.plays, watchMinutes(r.watchMs), r.replayPlays, watchMinutes(r.replayWatchMs), r.likes, r.messages])];
}

export function minutesCsv(minutes: LiveMinute[], header: Cell[], time: (ms: number) => string): Cell[][] {
  return [header, ...minutes.map((m) => [time(m.minute), m.viewers ?? '', m.likes, m.messages])];
}
