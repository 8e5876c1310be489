// Times as the organisation reads them: Asia/Shanghai, whatever the browser's zone.

const ZONE = 'Asia/Shanghai';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // UTC+8 all year: China has had no summer time since 1991

// "2026-11-29" for the Shanghai calendar day that `ms` falls on. Plain arithmetic, no Intl: the
// calendar calls it for every post (5,000 a month), and a formatter per call cost seconds.
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

// [start, end) of the Shanghai day `day` (YYYY-MM-DD) + `days` days, as RFC 3339 with +08:00.
export function dayRange(day: string, days = 1): { from: string; to: string } {
  const start = Date.parse(`${day}T00:00:00+08:00`);
  const end = new Date(start + days * 86_400_000);
  return { from: `${day}T00:00:00+08:00`, to: `${shanghaiDay(end.getTime())}T00:00:00+08:00` };
}

const shortFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

// "11-29 14:05" (or with the year when it is not this year's).
export function shortTime(v: string | number): string {
  const ms = typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : Date.parse(v);
  if (!isFinite(ms)) return String(v);
  return shortFormat.format(new Date(ms)).replace(/\//g, '-');
}
