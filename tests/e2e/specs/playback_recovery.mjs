// The watch page recovers from media and network errors by itself, without a page reload.
// ffmpeg publishes a 640x360 stream with 1 s GOPs (source rendition only: one quality, so hls.js
// has no other rendition to fall back to and its errors become fatal). While the page plays,
// the browser's network is rigged (page.route):
// 1. media: every part and segment the hub sends arrives with its samples overwritten by
//    garbage for a while (its boxes intact: hls.js passes it on, the browser cannot decode it;
//    fatal MEDIA_ERROR: recoverMediaError, then swapAudioCodec, then a fresh hls.js instance);
// 2. network: every playlist, part and segment answers 503 for a while (fatal NETWORK_ERROR:
//    retries with backoff);
// 3. garbage: every part is garbage through and through for a while (hls.js drops such parts
//    without an error: the page notes the video waiting for data itself).
// Each time the viewer sees the "reconnecting" note over the video, and once the bytes flow
// again the video plays on (currentTime advances), the note is gone, and it is the same
// document (a window marker and performance.timeOrigin survive): nothing was reloaded.
import { passthroughStream, publish, stop } from './playback.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const ADMIN = 'e2e-admin-token-0123456789'; // as playback.mjs's
const RECONNECTING = '网络不稳定，正在重连…';
// The stream's media (not its playlists, not the init segments hls.js keeps).
const isMedia = (url) => /\/live\/solo\/.*\.m4s(\?|$)/.test(url);
const isStream = (url) => /\/live\/solo\//.test(url);

export default async function playbackRecovery({ startHub, newPage, screenshot, desktop, assert, waitFor, log }) {
  const hub = await startHub({ env: { HUB_ADMIN_TOKEN: ADMIN } });
  const solo = await passthroughStream(hub, 'solo', assert);
  const ff = publish(`rtmp://127.0.0.1:${hub.rtmpPort}/live/${solo.key}`, '640x360');
  try {
    await waitFor(async () => (await (await fetch(`${hub.url}/live/solo/source/index.m3u8`)).text()).includes('#EXTINF'),
      'solo lists a complete segment', 20000);
    const page = await newPage(desktop);
    await page.goto(hub.url + '/watch/solo');
    await page.evaluate(() => (window.__sameDocument = true));
    const origin = await page.evaluate(() => performance.timeOrigin);
    await page.waitForFunction(() => window.hubPlayer && window.hubPlayer.state === 'playing', null, { timeout: 20000 });
    await playsOn(page, 2, 'before the trouble');
    const overlay = () => page.textContent('.stage-overlay');

    const phase = async (name, handler, expected, holdMs) => {
      const before = await page.evaluate(() => window.hubPlayer.recoveries.length);
      let rigged = 0;
      const route = (r) => {
        if (!handler.match(r.request().url())) return r.continue();
        rigged++;
        return handler.answer(r);
      };
      await page.route('**/live/solo/**', route);
      const started = Date.now();
      await waitFor(async () => (await overlay()).includes(RECONNECTING), `${name}: the viewer is told the video is reconnecting`, 30000);
      if (expected) await waitFor(async () => (await page.evaluate((n) => window.hubPlayer.recoveries.slice(n), before)).some((x) => expected.test(x)),
        `${name}: a fatal error handled by ${expected}`, 30000);
      await screenshot(page, `recovery-${name}`);
      const rest = holdMs - (Date.now() - started);
      if (rest > 0) await sleep(rest);
      // The requests being rigged are answered first (their handler still runs).
      await page.unrouteAll({ behavior: 'wait' });
      const healed = Date.now();
      await playsOn(page, 3, `${name}: after the bytes flow again`);
      await waitFor(async () => !(await overlay()).includes(RECONNECTING), `${name}: the reconnecting note goes away`, 10000);
      const steps = await page.evaluate((n) => window.hubPlayer.recoveries.slice(n), before);
      log(`recovery ${name}: ${rigged} requests rigged over ${((healed - started) / 1000).toFixed(1)} s; ` +
        `playing again ${((Date.now() - healed) / 1000).toFixed(1)} s later; steps: ${steps.join(', ')}`);
      assert(await page.evaluate(() => window.__sameDocument === true), `${name}: recovered without a reload`);
      assert((await page.evaluate(() => performance.timeOrigin)) === origin, `${name}: same document (timeOrigin)`);
    };

    // 1. Garbage instead of media.
    await phase('media', {
      match: isMedia,
      answer: async (r) => {
        const res = await r.fetch();
        const body = await res.body();
        scrambleSamples(body);
        return r.fulfill({ response: res, body });
      },
    }, /: (recover-media|swap-and-recover|restart)$/, 6000);

    // 2. The hub unreachable (503) for playlists and media alike.
    await phase('network', {
      match: isStream,
      answer: (r) => r.fulfill({ status: 503, body: 'rigged by the test' }),
    }, /: (resume|reload)$/, 8000);

    // 3. Parts that are garbage through and through: hls.js drops them without an error (it
    //    finds no box to read), so nothing is fatal; the page notes the stalled video itself.
    await phase('garbage', {
      match: isMedia,
      answer: async (r) => {
        const res = await r.fetch();
        const body = await res.body();
        for (let i = 0; i < body.length; i++) body[i] = (i * 131 + 7) & 0xff;
        return r.fulfill({ response: res, body });
      },
    }, null, 6000);

    assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
    await page.context().close();
  } finally {
    await stop(ff);
  }
}

// currentTime advances by `seconds` while playing.
async function playsOn(page, seconds, what) {
  const t0 = await page.$eval('video', (v) => v.currentTime);
  try {
    await page.waitForFunction((t) => {
      const v = document.querySelector('video');
      return !v.paused && v.currentTime > t;
    }, t0 + seconds, { timeout: 30000 });
  } catch (e) {
    const s = await page.evaluate(() => ({ stats: window.hubPlayer.stats(), state: window.hubPlayer.state, recoveries: window.hubPlayer.recoveries }));
    throw new Error(`${what}: the video does not play on from ${t0.toFixed(2)} s: ${JSON.stringify(s)}`);
  }
}

// Overwrites the sample data (the mdat boxes' payload) of an fMP4 part and keeps its boxes
// intact: hls.js takes it, the browser cannot decode it.
function scrambleSamples(b) {
  for (let at = 0; at + 8 <= b.length; ) {
    const size = b.readUInt32BE(at);
    if (size < 8 || at + size > b.length) break;
    if (b.toString('latin1', at + 4, at + 8) === 'mdat') for (let i = at + 8; i < at + size; i++) b[i] = (i * 131 + 7) & 0xff;
    at += size;
  }
}
