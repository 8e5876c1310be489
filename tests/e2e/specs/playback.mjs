// Live playback in Chromium: ffmpeg publishes a 1 s GOP test pattern over RTMP.
//
// 1. Latency and first frame, with the player's default settings, at phone and desktop sizes,
//    on a 640x360 stream without transcoding ("solo", passthrough only; the size is not the
//    point here), once it lists its first complete segment: the first frame on screen
//    (requestVideoFrameCallback, from the start of navigation) of each page, opened one after
//    the other, then hls.js's live latency sampled
//    on both pages together every 0.5 s for 15 s, p50. Both are printed and asserted: the goals
//    are 2 s and 2.5 s (issue 5); on a loaded host the bounds are looser unless
//    HUB_E2E_STRICT=1 (the measured numbers go to docs/benchmarks.md either way). Then, on the
//    desktop page, the latency readout, and "back to live" after the viewer paused.
// 2. The default ladder ("gala": a 720p source plus transcoded renditions), its page opened
//    the moment the publisher starts, before any rung exists (and the hub's master wait is off,
//    [hls] master_wait_ms = 0, so the player's own late-rendition path is what gets there): the
//    quality menu ends up with auto plus every rendition the stream's listing announces, without
//    a reload; a quality switch to the lowest rendition keeps it playing; after the publisher
//    drops and comes back the page plays again without a reload.
// Screenshots at phone and desktop sizes.
import { spawn } from '../child.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const ADMIN = 'e2e-admin-token-0123456789';
const strict = process.env.HUB_E2E_STRICT === '1';
const GOAL = { firstFrameMs: 2000, latencyP50: 2.5 };
const BOUND = strict ? GOAL : { firstFrameMs: 8000, latencyP50: 3.0 };

export function publish(url, size = '1280x720') {
  const args = ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-keyint_min', '30',
    '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', url];
  const p = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  p.errors = () => err;
  return p;
}

// A stream of the source rendition only (no transcoding); its admin token is ADMIN.
export async function passthroughStream(hub, name, assert) {
  const stream = JSON.parse(await hub.cli('stream', 'create', name, '--json'));
  const put = await fetch(`${hub.url}/api/v1/streams/${name}/ladder`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ passthrough_only: true, ladder: [] }),
  });
  assert(put.status === 200, `${name} set to passthrough: ${put.status}`);
  return stream;
}

export async function stop(p) {
  if (!p || p.exitCode !== null) return;
  p.kill('SIGKILL');
  await new Promise((r) => p.once('exit', r));
}

const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// hls.js's latency every 0.5 s for `seconds`.
async function sampleLatency(page, seconds) {
  const out = [];
  for (let i = 0; i < seconds * 2; i++) {
    const l = await page.evaluate(() => window.hubPlayer.stats().latency);
    if (typeof l === 'number' && l > 0) out.push(l);
    await sleep(500);
  }
  return out;
}

// The latency readout shows seconds; a viewer who paused a while is offered "back to live",
// which plays from near the live edge again and goes away.
async function backToLive(page, waitFor, log) {
  await waitFor(async () => /\d+\.\d/.test(await page.textContent('.latency')), 'the latency readout shows seconds', 5000);
  const paused = await page.$eval('video', (v) => (v.pause(), v.currentTime));
  await waitFor(() => page.isVisible('.ctl-live'), '"back to live" offered while paused', 5000);
  await sleep(5000);
  await page.click('.ctl-live');
  // Playing again, the 5 s missed skipped, near the edge.
  let now = null;
  await waitFor(async () => {
    now = await page.evaluate(() => [document.querySelector('video').currentTime, document.querySelector('video').paused, window.hubPlayer.stats().latency]);
    return !now[1] && now[0] > paused + 4 && now[2] < 4;
  }, '"back to live" plays near the live edge again', 10000).catch((e) => {
    throw new Error(`${e.message}: paused at ${paused}, now [currentTime, paused, latency] ${JSON.stringify(now)}`);
  });
  await waitFor(async () => !(await page.isVisible('.ctl-live')), '"back to live" hidden again', 5000);
  log(`playback back to live: paused at ${paused.toFixed(2)} s for 5 s, then at ${now[0].toFixed(2)} s, ${now[2].toFixed(2)} s behind`);
}

// Opens /watch/<name> and waits for its first frame; returns [page, ms from navigation].
async function openLive(newPage, device, url) {
  const page = await newPage(device);
  await page.goto(url);
  await page.waitForFunction(() => window.hubPlayer && (window.hubPlayer.marks.frame || window.hubPlayer.marks.playing), null, { timeout: 20000 });
  const marks = await page.evaluate(() => window.hubPlayer.marks);
  return [page, marks.frame ?? marks.playing, marks];
}

export default async function playback({ startHub, newPage, screenshot, phone, desktop, assert, waitFor, log }) {
  const hub = await startHub({ env: { HUB_ADMIN_TOKEN: ADMIN, HUB_HLS_MASTER_WAIT_MS: '0' } });
  const solo = await passthroughStream(hub, 'solo', assert);
  const gala = JSON.parse(await hub.cli('stream', 'create', 'gala', '--json'));
  const rtmp = (s) => `rtmp://127.0.0.1:${hub.rtmpPort}/live/${s.key}`;
  let ff = publish(rtmp(solo), '640x360');
  try {
    // 1. First frame of each page, then latency on both at once, on the source rendition alone.
    await waitFor(async () => (await fetch(`${hub.url}/live/solo/master.m3u8`)).status === 200, 'solo master playlist', 20000);
    // A viewer opens a stream that is live: wait for its first complete segment (the stream's
    // very first second, before any part exists, is part 2's case).
    await waitFor(async () => (await (await fetch(`${hub.url}/live/solo/source/index.m3u8`)).text()).includes('#EXTINF'),
      'solo lists a complete segment', 20000);
    const opened = [];
    for (const [device, tag] of [[phone, 'phone'], [desktop, 'desktop']]) {
      const [page, firstFrame, marks] = await openLive(newPage, device, hub.url + '/watch/solo');
      opened.push({ page, tag, firstFrame, marks, t1: await page.$eval('video', (v) => v.currentTime), lat: [] });
    }
    for (let i = 0; i < 30; i++) {
      for (const o of opened) {
        const l = await o.page.evaluate(() => window.hubPlayer.stats().latency);
        if (typeof l === 'number' && l > 0) o.lat.push(l);
      }
      await sleep(500);
    }
    const results = [];
    for (const { page, tag, firstFrame, marks, t1, lat } of opened) {
      const t2 = await page.$eval('video', (v) => v.currentTime);
      assert(t2 > t1 + 11, `${tag}: currentTime advances: ${t1} -> ${t2}`);
      assert(lat.length >= 22, `${tag}: latency known in most samples: ${lat.length}/30`);
      const stats = await page.evaluate(() => window.hubPlayer.stats());
      results.push({ tag, firstFrame, p50: p50(lat), max: Math.max(...lat), stalls: stats.stalls, marks });
      await screenshot(page, `live-${tag}`);
      if (tag === 'desktop') await backToLive(page, waitFor, log);
      assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
      await page.context().close();
    }
    for (const r of results)
      log(`playback ${r.tag}: first frame ${Math.round(r.firstFrame)} ms, hls.js latency p50 ${r.p50.toFixed(2)} s ` +
        `(max ${r.max.toFixed(2)} s, ${r.stalls} stalls); steps ms ${JSON.stringify(r.marks)}`);
    log(`bounds asserted: first frame <= ${BOUND.firstFrameMs} ms, p50 <= ${BOUND.latencyP50} s ` +
      `(goals ${GOAL.firstFrameMs} ms, ${GOAL.latencyP50} s${strict ? '' : '; HUB_E2E_STRICT=1 asserts the goals'})`);
    for (const r of results) {
      assert(r.firstFrame <= BOUND.firstFrameMs, `${r.tag}: first frame ${Math.round(r.firstFrame)} ms > ${BOUND.firstFrameMs} ms`);
      assert(r.p50 <= BOUND.latencyP50, `${r.tag}: latency p50 ${r.p50.toFixed(2)} s > ${BOUND.latencyP50} s`);
    }
    await stop(ff);

    // 2. The default ladder, opened before its rungs exist: every rendition reaches the quality
    //    menu, quality switch, publisher drop and back.
    ff = publish(rtmp(gala));
    const page = await newPage(desktop);
    await page.goto(hub.url + '/watch/gala');
    await page.evaluate(() => (window.__sameDocument = true));
    await page.waitForFunction(() => window.hubPlayer && (window.hubPlayer.marks.frame || window.hubPlayer.marks.playing), null, { timeout: 30000 });
    const levelsAtStart = await page.evaluate(() => window.hubPlayer.stats().levels);
    let announced = 0;
    await waitFor(async () => {
      const s = (await (await fetch(`${hub.url}/api/v1/public/streams`)).json()).streams.find((x) => x.name === 'gala');
      announced = s?.renditions ?? 0;
      return announced >= 3;
    }, 'gala announces its renditions (source and two rungs)', 20000);
    await waitFor(async () => (await page.$$('.quality-item')).length >= announced + 1 && (await page.isVisible('.ctl-quality')),
      'quality menu lists auto and every rendition', 40000);
    const marks = await page.evaluate(() => window.hubPlayer.marks);
    assert(await page.evaluate(() => window.__sameDocument === true), 'renditions added without a reload');
    const lat = await sampleLatency(page, 6);
    const dropped = (await (await fetch(`${hub.url}/metrics`)).text()).match(/hub_transcode_dropped_frames_total\{stream="gala"\} (\d+)/);
    log(`playback ladder (desktop): ${levelsAtStart} renditions at the first frame, ${announced} announced, ` +
      `late ones added ${marks['late-levels'] !== undefined ? `at ${marks['late-levels']} ms` : 'never (all in the first master)'}; ` +
      `hls.js latency p50 ${lat.length ? p50(lat).toFixed(2) : '-'} s over ${lat.length} samples; ` +
      `transcoder dropped ${dropped ? dropped[1] : '?'} frames`);
    await page.click('.ctl-quality');
    const items = await page.$$('.quality-item');
    await items[items.length - 1].click();
    const a = await page.$eval('video', (v) => v.currentTime);
    await page.waitForFunction((a0) => document.querySelector('video').currentTime > a0 + 2, a, { timeout: 15000 });
    await screenshot(page, 'live-desktop-quality');

    // Publisher drop and back: same page, playing again.
    await stop(ff);
    await sleep(1500);
    ff = publish(rtmp(gala));
    const c = await page.$eval('video', (v) => v.currentTime);
    await page.waitForFunction((c0) => document.querySelector('video').currentTime > c0 + 3, c, { timeout: 30000 });
    assert(await page.evaluate(() => window.__sameDocument === true), 'recovered without a reload');
    assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
    await page.context().close();
  } finally {
    await stop(ff);
  }
}
