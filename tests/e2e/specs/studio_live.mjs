// The studio's live control room (/studio/live/:id), run by e2e_studio after the studio spec on
// a hub of its own (health sampled every second): a city's host opens the event from the live
// list, copies the stream key (the clipboard holds it), rotates it (the page shows a new one),
// ffmpeg publishes with the new key, the low-latency preview plays (currentTime advances) and
// the bitrate chart gets points; a viewer's chat message appears in the moderation panel, the
// host deletes it (the viewer's socket gets the tombstone) and mutes the viewer (the viewer is
// told, and their next message is refused). The host, also the city's moderator, adds a word to
// a new block list in the panel's word-list editor and saves: the viewer's next message with it
// is refused with chat.filtered, without restarting the hub. Another city's host gets 404 for
// the event.
// Once the preview played, a city editor finds the play in the live-events analytics
// (studio_analytics_live.mjs).
import { spawn } from '../child.mjs';
import studioAnalyticsLive from './studio_analytics_live.mjs';

function publish(url) {
  const args = ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-keyint_min', '30',
    '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', url];
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function stop(p) {
  if (!p || p.exitCode !== null) return;
  p.kill('SIGINT');
  const gone = new Promise((r) => p.once('exit', r));
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

export default async function studioLive({ startHub, browser, desktop, screenshot, assert, waitFor, log }) {
  const started = Date.now();
  const hub = await startHub({ env: { HUB_MEDIA_HEALTH_INTERVAL: '1' } });
  await hub.cliWithInput('boss-password-1\n', 'user', 'create', 'boss', '--admin', '--password-stdin');

  // The admin (over the API) makes two cities, a host in each, and an event in the first.
  const ctx = await browser.newContext({ ...desktop, locale: 'zh-CN', permissions: ['clipboard-read', 'clipboard-write'] });
  const host = await ctx.newPage();
  const errors = [];
  host.on('pageerror', (e) => errors.push(String(e)));
  const login = async (request, username, password) => {
    const r = await request.post(`${hub.url}/api/v1/auth/login`, { data: { username, password } });
    assert(r.status() === 200, `login ${username}: ${r.status()}`);
    return { 'x-csrf-token': (await r.json()).csrf_token };
  };
  const adminCtx = await browser.newContext();
  const adminCsrf = await login(adminCtx.request, 'boss', 'boss-password-1');
  const api = async (path, data) => {
    const r = await adminCtx.request.post(`${hub.url}${path}`, { data, headers: adminCsrf });
    assert(r.status() < 300, `POST ${path}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  await api('/api/v1/orgs', { id: 1, parent_id: 0, name: '省总工会', level: 1 });
  await api('/api/v1/orgs', { id: 2, parent_id: 1, name: '甲市总工会', level: 2 });
  await api('/api/v1/orgs', { id: 3, parent_id: 1, name: '乙市总工会', level: 2 });
  await api('/api/v1/users', { username: 'host-a', password: 'host-password-1', org_id: 2, display_name: '主持人小陈', grants: [{ role: 'host', org_id: 2 }, { role: 'moderator', org_id: 2 }] });
  await api('/api/v1/users', { username: 'host-b', password: 'host-password-1', org_id: 3, grants: [{ role: 'host', org_id: 3 }] });
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const event = await api('/api/v1/live-events', {
    org_id: 2, title: '甲市职工春晚', starts_at: iso(Date.now() + 600_000), ends_at: iso(Date.now() + 7_200_000),
  });

  const otherCtx = await browser.newContext();
  await login(otherCtx.request, 'host-b', 'host-password-1');
  const other = await otherCtx.request.get(`${hub.url}/api/v1/live-events/${event.id}/health`);
  assert(other.status() === 404, `another city's host: ${other.status()}`);

  // The host signs in, finds the event in the live list and opens its control room.
  await host.goto(`${hub.url}/studio/`);
  await host.fill('input[name="username"]', 'host-a');
  await host.fill('input[name="password"]', 'host-password-1');
  await host.click('[data-test="signin-submit"]');
  await host.waitForSelector('[data-nav="/live"]');
  await host.click('[data-nav="/live"]');
  await host.waitForSelector(`[data-live-open="${event.id}"]`);
  await screenshot(host, 'studio-live-list');
  await host.click(`[data-live-open="${event.id}"]`);
  await waitFor(async () => new URL(host.url()).pathname === `/studio/live/${event.id}`, 'the control room opens', 10000);
  await host.waitForSelector('[data-test="ingest-key"]');
  const key1 = await host.getAttribute('[data-test="ingest-key"]', 'data-key');
  assert(key1 && !(await host.textContent('[data-test="ingest-key"]')).includes(key1), 'the key is masked until shown');
  await host.click('[data-test="copy-key"]');
  assert((await host.evaluate(() => navigator.clipboard.readText())) === key1, 'the copy button puts the key on the clipboard');
  await host.click('[data-test="copy-server"]');
  const server = await host.evaluate(() => navigator.clipboard.readText());
  assert(server.startsWith('rtmp://'), `the server URL is copied: ${server}`);

  // Rotation: confirmed, the page shows a new key.
  await host.click('[data-test="rotate-key"]');
  await host.click('.el-message-box__btns .el-button--primary');
  await waitFor(async () => {
    const k = await host.getAttribute('[data-test="ingest-key"]', 'data-key');
    return k && k !== key1;
  }, 'the rotated key is shown', 10000);
  const key2 = await host.getAttribute('[data-test="ingest-key"]', 'data-key');
  await waitFor(() => host.$('[data-test="chat-status"]:has-text("已连接")'), 'the moderation panel is connected', 10000);

  // ffmpeg publishes with the new key: the preview plays and the health chart gets points.
  const ff = publish(`rtmp://127.0.0.1:${hub.rtmpPort}/live/${key2}`);
  try {
    await waitFor(async () => Number(await host.getAttribute('[data-chart="bitrate"] .time-chart-canvas', 'data-points')) >= 2,
      'the bitrate chart has points', 25000);
    await waitFor(() => host.$eval('video[data-test="preview"]', (v) => v.currentTime > 0.5), 'the preview plays', 25000);
    const t0 = await host.$eval('video[data-test="preview"]', (v) => v.currentTime);
    await waitFor(async () => (await host.$eval('video[data-test="preview"]', (v) => v.currentTime)) > t0 + 0.5, 'the preview keeps playing', 10000);
    // The preview was a play: the event's analytics count it (studio_analytics_live.mjs).
    await studioAnalyticsLive({ browser, desktop, hub, api, event, screenshot, assert, waitFor });

    // A rehearsal: the host holds the stream. A viewer's watch page leaves live (media answers
    // 403 stream.held) while the control room's preview, which sends its token, keeps playing;
    // Start gives the viewer the picture back.
    const watchCtx = await browser.newContext();
    const watcher = await watchCtx.newPage();
    await watcher.goto(`${hub.url}/watch/${event.stream}`);
    await waitFor(() => watcher.$('.stage[data-state="live"]'), 'a viewer watches live', 25000);
    await host.click('[data-test="live-hold"]');
    await host.click('.el-message-box__btns .el-button--primary');
    await host.waitForSelector('[data-test="live-held"]');
    const refused = await fetch(`${hub.url}/live/${event.stream}/master.m3u8`);
    assert(refused.status === 403, `a held stream is refused to viewers: ${refused.status}`);
    await waitFor(async () => (await watcher.getAttribute('.stage', 'data-state')) === 'offline', 'the viewer page leaves live', 40000);
    const p0 = await host.$eval('video[data-test="preview"]', (v) => v.currentTime);
    await waitFor(async () => (await host.$eval('video[data-test="preview"]', (v) => v.currentTime)) > p0 + 1, 'the preview plays the rehearsal', 15000);
    await screenshot(host, 'studio-live-rehearsal');
    await host.click('[data-test="live-start"]');
    await waitFor(() => host.$('[data-test="live-hold"]'), 'started: the rehearsal button is back', 10000);
    await waitFor(() => watcher.$('.stage[data-state="live"]'), 'the viewer page plays again after the start', 30000);
    await watchCtx.close();

    // A viewer on the watch page's origin chats over /ws with a user token.
    const viewerToken = await hub.cli('token', 'user', '观众甲', '--id', '777');
    const viewerCtx = await browser.newContext();
    const viewer = await viewerCtx.newPage();
    await viewer.goto(`${hub.url}/healthz`);
    await viewer.evaluate(([token, room]) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      window.events = [];
      window.viewerWs = ws;
      ws.onopen = () => {
        ws.send(JSON.stringify({ op: 'hello', token }));
        ws.send(JSON.stringify({ op: 'join', room }));
      };
      ws.onmessage = (m) => {
        // One event, or several packed in a JSON array (docs/chat-protocol.md).
        const data = JSON.parse(m.data);
        for (const ev of Array.isArray(data) ? data : [data]) {
          window.events.push(ev);
          if (ev.type === 'joined') resolve();
        }
      };
      ws.onerror = () => reject(new Error('viewer socket failed'));
      setTimeout(() => reject(new Error(`viewer not joined: ${JSON.stringify(window.events)}`)), 10000);
    }), [viewerToken, event.stream]);
    await viewer.evaluate((room) => window.viewerWs.send(JSON.stringify({ op: 'send', room, text: '主持人好！' })), event.stream);
    const line = '[data-test="chat-list"] .chat-line:has-text("主持人好！")';
    await waitFor(() => host.$(line), 'the viewer message appears in the moderation panel', 10000);
    const messageId = Number(await host.getAttribute(line, 'data-chat-id'));
    await screenshot(host, 'studio-live-control-room');

    // Word lists: a new block list with one word, saved; the same viewer's message with the word
    // is refused (every chat node reloads its filter through the change feed within a poll).
    await host.waitForSelector('[data-test="words"]');
    await host.fill('[data-test="words-new-name"]', 'politics');
    await host.click('[data-test="words-add-list"]');
    await host.fill('[data-list="politics"] [data-test="words-input"]', '敏感词');
    await host.click('[data-list="politics"] [data-test="words-add"]');
    await host.click('[data-test="words-save"]');
    await waitFor(async () => !(await host.$('[data-test="words-dirty"]')) && (await host.$('[data-list="politics"] [data-test="word"]:has-text("敏感词")')),
      'the word list is saved', 10000);
    await screenshot(host, 'studio-live-words');
    await waitFor(async () => {
      await viewer.evaluate((room) => window.viewerWs.send(JSON.stringify({ op: 'send', room, text: '这是敏感词吗' })), event.stream);
      await new Promise((r) => setTimeout(r, 600));
      return viewer.evaluate(() => window.events.some((e) => e.type === 'error' && e.code === 'chat.filtered'));
    }, 'a message with the new word is refused with chat.filtered', 10000);

    // Delete: the viewer's socket gets the tombstone; the panel marks the line.
    await host.click(`${line} [data-test="chat-delete"]`);
    await waitFor(() => viewer.evaluate((id) => window.events.some((e) => e.type === 'deleted' && e.id === id), messageId),
      'the viewer gets the tombstone', 10000);
    await waitFor(() => host.$(`[data-chat-id="${messageId}"].chat-deleted`), 'the panel shows the message deleted', 5000);

    // Mute: the viewer is told and their next message is refused.
    await host.click(`[data-chat-id="${messageId}"] [data-test="chat-mute"]`);
    await waitFor(() => viewer.evaluate(() => window.events.some((e) => e.type === 'muted' && e.user_id === 777)), 'the viewer is muted', 10000);
    await viewer.evaluate((room) => window.viewerWs.send(JSON.stringify({ op: 'send', room, text: '再说一句' })), event.stream);
    await waitFor(() => viewer.evaluate(() => window.events.some((e) => e.type === 'error' && e.code === 'chat.muted')), 'a muted viewer cannot send', 10000);
    await waitFor(async () => Number(await host.getAttribute('[data-chart="chat"] .time-chart-canvas', 'data-points')) >= 1,
      'the chat-per-minute chart has the minute of the message (chat -> bus -> CMS history)', 25000);
    await screenshot(host, 'studio-live-moderated');
    await viewerCtx.close();
  } finally {
    await stop(ff);
  }
  assert(errors.length === 0, `page errors: ${errors}`);
  await ctx.close();
  await adminCtx.close();
  await otherCtx.close();
  log(`studio live control room: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
