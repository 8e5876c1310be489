// The calendar's arithmetic, in Asia/Shanghai days whatever the browser's zone: the days of a week
// (Monday first) or of a month grid (whole weeks), which day a post falls on, and a post moved to
// another day at the same time of day (what dragging does).

import { shanghaiDay } from './time';

const DAY_MS = 86_400_000;

export type View = 'week' | 'month';

function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

export function addDays(day: string, n: number): string {
  return shanghaiDay(dayMs(day) + n * DAY_MS + DAY_MS / 2);
}

// 1 = Monday ... 7 = Sunday.
export function weekday(day: string): number {
  const d = new Date(dayMs(day) + 8 * 3_600_000).getUTCDay();
  return d === 0 ? 7 : d;
}

export function weekDays(anyDay: string): string[] {
  const monday = addDays(anyDay, 1 - weekday(anyDay));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

// Whole weeks covering the month of `anyDay`: 35 or 42 days, Monday first.
export function monthGrid(anyDay: string): string[] {
  const first = `${anyDay.slice(0, 7)}-01`;
  const start = addDays(first, 1 - weekday(first));
  const days: string[] = [];
  for (let d = start; days.length < 42; d = addDays(d, 1)) {
    if (days.length % 7 === 0 && days.length >= 28 && d.slice(0, 7) !== first.slice(0, 7)) break;
    days.push(d);
  }
  return days;
}

// The range a view shows, for GET /api/v1/calendar.
export function viewRange(view: View, anyDay: string): { days: string[]; from: string; to: string } {
  const days = view === 'week' ? weekDays(anyDay) : monthGrid(anyDay);
  return { days, from: `${days[0]}T00:00:00+08:00`, to: `${addDays(days[days.length - 1], 1)}T00:00:00+08:00` };
}

// The Shanghai day of an RFC 3339 time.
export function dayOf(at: string): string {
  return shanghaiDay(Date.parse(at));
}

// `at` moved to `day`, same time of day, as RFC 3339 with +08:00.
export function moveToDay(at: string, day: string): string {
  const ms = Date.parse(at);
  const timeOfDay = (ms - dayMs(shanghaiDay(ms))) / 1000;
  const h = String(Math.floor(timeOfDay / 3600)).padStart(2, '0');
  const m = String(Math.floor((timeOfDay % 3600) / 60)).padStart(2, '0');
  const s = String(Math.floor(timeOfDay % 60)).padStart(2, '0');
  return `${day}T${h}:${m}:${s}+08:00`;
}

// "14:05" in Shanghai.
export function clock(at: string): string {
  const ms = Date.parse(at);
  const t = (ms - dayMs(shanghaiDay(ms))) / 60000;
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(Math.floor(t % 60)).padStart(2, '0')}`;
}

export const PLATFORM_COLOURS: Record<string, string> = {
  wechat_oa: '#07c160',
  wechat_channels: '#fa9d3b',
  weibo: '#e6162d',
  douyin: '#161823',
  kuaishou: '#ff4906',
  bilibili: '#00a1d6',
  toutiao: '#f04142',
  xiaohongshu: '#ff2442',
  app: '#409eff',
  website: '#7a5af8',
};

// How many posts a day cell lists before "+N more": a month of 5,000 posts stays a readable grid
// (and renders fast); the rest of a day opens in a list.
export const DAY_CELL_LIMIT: Record<View, number> = { week: 12, month: 3 };

// Posts grouped by their Shanghai day, each day in time order (ties by id).
export function postsByDay<P extends { id: number; at: string }>(posts: P[]): Record<string, P[]> {
  const m: Record<string, P[]> = {};
  for (const p of posts) (m[dayOf(p.at)] ??= []).push(p);
  for (const list of Object.values(m)) list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
  return m;
}
