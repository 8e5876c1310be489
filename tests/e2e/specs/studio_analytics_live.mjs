// The studio's live-event analytics (cms/web/src/components/LiveAnalytics.vue), run inside the
// control-room spec (studio_live.mjs) once its host's preview has played the stream: a city
// editor opens /studio/analytics?tab=live for the days around the event, its row counts the
// play (plays >= 1, peak >= 1), the viewers chart is drawn, and the table downloads as CSV.
import fs from 'node:fs/promises';

const day = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(ms));

export default async function studioAnalyticsLive({ browser, desktop, hub, api, event, screenshot, assert, waitFor }) {
  await api('/api/v1/users', { username: 'ed-a', password: 'editor-password-1', org_id: 2, grants: [{ role: 'editor', org_id: 2 }] });
  const ctx = await browser.newContext({ ...desktop, locale: 'zh-CN', acceptDownloads: true });
  const ed = await ctx.newPage();
  const errors = [];
  ed.on('pageerror', (e) => errors.push(String(e)));
  await ed.goto(`${hub.url}/studio/`);
  await ed.fill('input[name="username"]', 'ed-a');
  await ed.fill('input[name="password"]', 'editor-password-1');
  await ed.click('[data-test="signin-submit"]');
  await ed.waitForSelector('[data-nav="/analytics"]');
  // Media stores plays in batches (every health round, 1 s here): wait for the API to count it.
  const from = `${day(Date.now() - 86_400_000)}T00:00:00%2B08:00`;
  const to = `${day(Date.now() + 2 * 86_400_000)}T00:00:00%2B08:00`;
  await waitFor(async () => {
    const r = await ctx.request.get(`${hub.url}/api/v1/analytics/live-events?from=${from}&to=${to}`);
    return r.status() === 200 && (await r.json()).events.some((e) => e.event_id === event.id && e.plays >= 1);
  }, 'the host\'s preview counts as a play', 15000);

  await ed.goto(`${hub.url}/studio/analytics?tab=live&from=${day(Date.now() - 86_400_000)}&to=${day(Date.now() + 86_400_000)}`);
  const row = '[data-test="live-analytics-table"] tr:has-text("甲市职工春晚")';
  await waitFor(() => ed.$(row), 'the live tab lists the event', 10000);
  const cells = await ed.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent.trim()));
  assert(Number(cells[3]) >= 1 && Number(cells[4]) >= 1, `peak and plays of the event: ${cells}`);
  await waitFor(async () => Number(await ed.getAttribute('[data-chart="live-viewers"] .time-chart-canvas', 'data-points')) >= 1,
    'the viewers-over-time chart has points', 10000);
  const [download] = await Promise.all([ed.waitForEvent('download'), ed.click('[data-test="live-analytics-csv"]')]);
  const csv = await fs.readFile(await download.path(), 'utf8');
  assert(csv.includes('最高同时在线') && csv.includes('甲市职工春晚'), `the CSV has the event's row: ${csv}`);
  await screenshot(ed, 'studio-analytics-live');
  assert(errors.length === 0, `page errors: ${errors}`);
  await ctx.close();
}
