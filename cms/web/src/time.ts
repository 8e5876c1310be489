// Times as the organisation reads them: Asia/Shanghai, whatever the browser's zone.

const ZONE = 'Asia/Shanghai';

// "2026-11-29" for the Shanghai calendar day that `ms` falls on.
export function shanghaiDay(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
  return parts; // en-CA formats as YYYY-MM-DD
}

// [start, end) of the Shanghai day `day` (YYYY-MM-DD) + `days` days, as RFC 3339 with +08:00.
export function dayRange(day: string, days = 1): { from: string; to: string } {
  const start = Date.parse(`${day}T00:00:00+08:00`);
  const end = new Date(start + days * 86_400_000);
  return { from: `${day}T00:00:00+08:00`, to: `${shanghaiDay(end.getTime())}T00:00:00+08:00` };
}

// "11-29 14:05" (or with the year when it is not this year's).
export function shortTime(v: string | number): string {
  const ms = typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : Date.parse(v);
  if (!isFinite(ms)) return String(v);
  const f = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  return f.format(new Date(ms)).replace(/\//g, '-');
}
