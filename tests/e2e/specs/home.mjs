// The home page with live content: while ffmpeg publishes, "live now" shows the stream with
// its title, a thumbnail that loads (the hub's /live/<name>/thumb.jpg) and the viewer count
// (one watch page is open). After the publisher stops and the stream ends (a short
// `[hls] grace_period`), the open watch page says so and links to the replay, the home page
// lists the replay with its thumbnail, and the card opens /replay/<id>, which plays. On the
// way, a signed-in viewer chats and the playing watch page is shot with its bullet comments.
// Before that, an editor plans a live event in the CMS (a stream of its own, starting in two
// hours, with a poster from the media library): the upcoming section shows its card with the
// poster, which opens the watch page's countdown over the poster.
// Screenshots at phone and desktop sizes.
import { execFileSync } from 'node:child_process';
import { spawn } from '../child.mjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  p.kill('SIGINT'); // ffmpeg closes the RTMP session cleanly
  const gone = new Promise((r) => p.once('exit', r));
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

// Signs the CMS admin in and creates an organisation and a live event; the event as the API answers.
async function planEvent(hub) {
  await hub.cliWithInput('admin-password-1\n', 'user', 'create', 'admin', '--admin', '--password-stdin');
  const login = await fetch(`${hub.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
  });
  if (login.status !== 200) throw new Error(`CMS login: ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrf_token: csrf } = await login.json();
  const post = async (path, body) => {
    const r = await fetch(hub.url + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const org = await post('/api/v1/orgs', { name: '省总工会' });
  // The poster: a JPEG made by ffmpeg, uploaded to the media library in one chunk.
  const dir = mkdtempSync(join(tmpdir(), 'poster-'));
  const file = join(dir, 'poster.jpg');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0xb22222:s=640x360',
    '-frames:v', '1', '-y', file]);
  const jpeg = readFileSync(file);
  rmSync(dir, { recursive: true, force: true });
  const upload = await post('/api/v1/media/uploads', { org_id: org.id, name: 'poster.jpg', size: jpeg.length });
  const put = await fetch(`${hub.url}/api/v1/media/uploads/${upload.id}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'image/jpeg', 'Content-Range': `bytes 0-${jpeg.length - 1}/${jpeg.length}`, Cookie: cookie, 'X-CSRF-Token': csrf },
    body: jpeg,
  });
  if (put.status !== 200) throw new Error(`PUT poster: ${put.status} ${await put.text()}`);
  const done = await fetch(`${hub.url}/api/v1/media/uploads/${upload.id}/complete`, {
    method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
  });
  if (done.status !== 200) throw new Error(`complete poster: ${done.status} ${await done.text()}`);
  const poster = await done.json();
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  return post('/api/v1/live-events', {
    org_id: org.id, title: '元宵晚会', description: '直播预告', poster_media_id: poster.id,
    starts_at: iso(Date.now() + 2 * 3600_000), ends_at: iso(Date.now() + 4 * 3600_000),
  });
}

const imageLoaded = (page, selector) => page.$eval(selector, (img) => img.complete && img.naturalWidth > 0).catch(() => false);

export default async function home({ startHub, newPage, screenshot, phone, desktop, assert, waitFor, log }) {
  const hub = await startHub({ args: ['--hls-grace-period', '3'] });
  const stream = JSON.parse(await hub.cli('stream', 'create', 'gala', '--title', '春节联欢晚会', '--json'));
  const event = await planEvent(hub);
  let ff = publish(`rtmp://127.0.0.1:${hub.rtmpPort}/live/${stream.key}`);
  try {
    await waitFor(async () => (await fetch(`${hub.url}/live/gala/master.m3u8`)).status === 200, 'master playlist', 20000);
    // The thumbnailer's first picture (from the first key frames).
    await waitFor(async () => (await fetch(`${hub.url}/live/gala/thumb.jpg`)).status === 200, 'live thumbnail', 20000);

    // One viewer watching.
    const viewer = await newPage(desktop);
    await viewer.goto(hub.url + '/watch/gala');
    await viewer.waitForFunction(() => window.hubPlayer && window.hubPlayer.marks.playing, null, { timeout: 20000 });

    // Live now: the card with title, thumbnail and viewer count.
    const pages = [];
    for (const [device, tag] of [[phone, 'phone'], [desktop, 'desktop']]) {
      const page = await newPage(device);
      pages.push([page, tag]);
      await page.goto(hub.url + '/');
      const card = '#live a.card[href="/watch/gala"]';
      await waitFor(() => page.$(card), 'live card', 20000);
      assert((await page.textContent(`${card} .card-title`)) === '春节联欢晚会', 'live card title');
      await waitFor(() => imageLoaded(page, `${card} img.card-thumb`), 'live thumbnail loaded', 10000);
      // The media service counts viewers as their players fetch playlists; the home page
      // refreshes every 15 s.
      await waitFor(async () => {
        const n = Number(((await page.textContent(`${card} .card-meta`)) ?? '').replace(/\D/g, ''));
        if (n >= 1) return true;
        await page.reload();
        await page.waitForSelector(card, { timeout: 10000 });
        return false;
      }, 'viewer count shown', 30000);
      const meta = await page.textContent(`${card} .card-meta`);
      assert(/^\d+ 人在看$/.test(meta), `viewer count text: ${meta}`);
      const upcoming = `#upcoming a.card[href="/watch/${event.stream}"]`;
      await waitFor(() => page.$(upcoming), 'upcoming card of the CMS live event', 20000);
      assert((await page.textContent(`${upcoming} .card-title`)) === '元宵晚会', 'upcoming card title');
      assert((await page.$$('#upcoming a.card')).length === 1, 'one upcoming card');
      await waitFor(() => imageLoaded(page, `${upcoming} img.card-thumb`), 'upcoming poster loaded', 10000);
      await screenshot(page, `home-live-${tag}`);
    }

    // The watch page playing, with bullet comments, at phone and desktop size: a signed-in
    // viewer on a phone chats into the stream's room (made from the stream by the chat service).
    const aliceToken = await hub.cli('token', 'user', 'alice');
    const alice = await newPage(phone);
    await alice.goto(`${hub.url}/watch/gala#token=${encodeURIComponent(aliceToken)}`);
    await alice.waitForFunction(() => window.hubPlayer && window.hubPlayer.marks.playing, null, { timeout: 20000 });
    await waitFor(async () => (await alice.textContent('.chat-status')) === '', 'alice joined the chat', 10000);
    const lines = ['开场了！', '主持人好帅 👏', '这个节目太精彩了，从头笑到尾', '前排围观', 'Happy New Year 新年快乐'];
    for (const line of lines) {
      await alice.fill('.chat-form .chat-input', line);
      await alice.click('.chat-form .chat-send');
      await waitFor(() => viewer.$(`.dm:text-is("${line}")`), `bullet "${line}" on the desktop page`, 5000);
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor(() => alice.$(`.dm-own:text-is("${lines[lines.length - 1]}")`), 'own bullet highlighted on the phone', 5000);
    await screenshot(alice, 'watch-playing-bullets-phone');
    await screenshot(viewer, 'watch-playing-bullets-desktop');
    // The watch page shows the viewer count too.
    await waitFor(async () => /^[1-9]\d* 人在看$/.test(await viewer.textContent('.info-viewers')), 'the watch page shows its viewers', 20000);

    // The phone turned to landscape: the video takes the screen with its bullet comments, the
    // chat and the bars are hidden, and a new bullet starts at the right edge of the wide screen.
    await alice.setViewportSize({ width: 844, height: 390 });
    const fills = async (p, w, h) => {
      const r = await p.$eval('.stage', (e) => e.getBoundingClientRect().toJSON());
      return Math.abs(r.width - w) < 2 && Math.abs(r.height - h) < 2;
    };
    await waitFor(() => fills(alice, 844, 390), 'the video fills the landscape screen', 5000);
    assert(!(await alice.isVisible('.chat')) && !(await alice.isVisible('.topbar')), 'chat and bars hidden in landscape');
    await new Promise((r) => setTimeout(r, 400)); // the lanes take the new width
    const wide = '横屏弹幕飞过整个屏幕';
    // Sent by another member straight over a socket (alice's chat box is hidden now).
    const sender = await newPage(desktop);
    await sender.goto(`${hub.url}/healthz`);
    const sent = await sender.evaluate(async ([token, text]) => {
      const ws = new WebSocket('ws://' + location.host + '/ws');
      const events = [];
      let echoed;
      const echo = new Promise((r) => (echoed = r));
      ws.onmessage = (m) => {
        const got = [JSON.parse(m.data)].flat();
        events.push(...got);
        if (got.some((e) => e.type === 'message' && e.text === text)) echoed();
      };
      await new Promise((r) => (ws.onopen = r));
      ws.send(JSON.stringify({ op: 'hello', token }));
      ws.send(JSON.stringify({ op: 'join', room: 'gala' }));
      ws.send(JSON.stringify({ op: 'send', room: 'gala', text }));
      await Promise.race([echo, new Promise((r) => setTimeout(r, 3000))]);
      ws.close();
      return events.map((e) => e.type + (e.code ? ':' + e.code : ''));
    }, [await hub.cli('token', 'user', 'carl'), wide]);
    await sender.context().close();
    const startX = await waitFor(() => alice.$eval(`.dm:text-is("${wide}")`, (e) => e.getBoundingClientRect().left).catch(() => null),
      `the bullet flies in landscape (the sender got ${sent.join(' ')})`, 5000);
    assert(startX > 500, `the bullet starts at the right of the wide screen (844 px), not of the portrait one (390 px): x ${startX}`);
    await screenshot(alice, 'watch-landscape-bullets-phone');
    log(`home: landscape phone, the new bullet first seen at x ${Math.round(startX)} of 844 px`);
    // Back to portrait: the fullscreen button fills the screen (element fullscreen, or the
    // full-window mode where it is missing) and gives it back.
    await alice.setViewportSize({ width: 390, height: 844 });
    await alice.click('.ctl-fs');
    await waitFor(() => fills(alice, 390, 844), 'fullscreen fills the phone screen', 5000);
    await screenshot(alice, 'watch-fullscreen-phone');
    await alice.click('.ctl-fs');
    await waitFor(() => fills(alice, 390, (390 * 9) / 16), 'out of fullscreen: the 16:9 video again', 5000);
    // A like tap sends a heart up from the button.
    await alice.click('.like-btn');
    await waitFor(() => alice.$('.hearts .heart'), 'a heart rises from the like button', 2000);
    assert(alice.errors.length === 0, `page errors: ${alice.errors.join('; ')}`);
    await alice.context().close();

    // The publisher stops; after the grace period the stream has ended.
    await stop(ff);
    ff = null;
    const link = '.stage-overlay a.overlay-link';
    await waitFor(() => viewer.$(link), 'the watch page links to the replay once the stream ended', 40000);
    assert((await viewer.textContent('.stage-overlay')).includes('直播已结束'), 'ended state shown');
    const href = await viewer.$eval(link, (a) => a.getAttribute('href'));
    assert(/^\/replay\/[^/]+$/.test(href), `replay link ${href}`);
    await screenshot(viewer, 'watch-ended-desktop');
    assert(viewer.errors.length === 0, `page errors: ${viewer.errors.join('; ')}`);

    for (const [page, tag] of pages) {
      await page.reload();
      const card = `#replays a.card[href="${href}"]`;
      await waitFor(() => page.$(card), 'replay card', 20000);
      await waitFor(async () => (await page.$$('#live a.card')).length === 0, 'nothing live any more', 10000);
      await waitFor(() => imageLoaded(page, `${card} img.card-thumb`), 'replay thumbnail loaded', 10000);
      await screenshot(page, `home-replay-${tag}`);
      await page.click(card);
      await page.waitForURL(hub.url + href);
      await page.waitForFunction(() => document.querySelector('video') && document.querySelector('video').currentTime > 1, null, { timeout: 20000 });
      const t1 = await page.$eval('video', (v) => v.currentTime);
      await page.waitForFunction((t) => document.querySelector('video').currentTime > t + 1, t1, { timeout: 10000 });
      await screenshot(page, `replay-playing-${tag}`);
      assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
    }
    // The upcoming card opens the watch page with its countdown.
    const [page] = pages[0];
    await page.goto(hub.url + '/');
    await waitFor(() => page.$(`#upcoming a.card[href="/watch/${event.stream}"]`), 'upcoming card again', 20000);
    await page.click(`#upcoming a.card[href="/watch/${event.stream}"]`);
    await waitFor(() => page.$('.stage[data-state="upcoming"] .overlay-count'), 'watch page in its upcoming state', 20000);
    assert(/\d/.test(await page.textContent('.stage-overlay .overlay-count')), 'countdown shown');
    // Behind the countdown, the event's poster, which loads.
    const poster = await page.$eval('.stage video', (v) => v.poster);
    assert(poster.includes(`/api/v1/public/live-events/${event.id}/poster`), `watch page poster: ${poster}`);
    const got = await fetch(poster);
    assert(got.status === 200 && (got.headers.get('content-type') ?? '').startsWith('image/'), `poster answers ${got.status}`);
    await screenshot(page, 'watch-upcoming-phone');
    log(`home: live card with thumbnail and viewers, then replay ${href} plays; upcoming ${event.stream} with countdown`);
  } finally {
    await stop(ff);
  }
}
