// Live playback in Chromium: ffmpeg publishes a 1 s GOP test pattern over RTMP, the watch page
// plays it (currentTime advances), reports first-frame time and hls.js latency, a quality
// switch to the lowest rendition keeps it playing, and after the publisher drops and comes
// back the page plays again without a reload. Screenshots at phone and desktop sizes.
//
// Not registered in CMake until the media service (RTMP ingest, LL-HLS at /live/<name>/,
// `hub stream create NAME --json`) is on main.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

function publish(url) {
  const args = ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-keyint_min', '30',
    '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', url];
  const p = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  p.errors = () => err;
  return p;
}

async function stop(p) {
  if (p.exitCode !== null) return;
  p.kill('SIGKILL');
  await new Promise((r) => p.once('exit', r));
}

export default async function playback({ startHub, newPage, screenshot, phone, desktop, assert, waitFor, log }) {
  const hub = await startHub();
  const stream = JSON.parse(await hub.cli('stream', 'create', 'gala', '--json'));
  const rtmp = `rtmp://127.0.0.1:${hub.rtmpPort}/live/${stream.key}`;
  let ff = publish(rtmp);
  try {
    await waitFor(async () => (await fetch(`${hub.url}/live/gala/master.m3u8`)).status === 200, 'master playlist', 20000);
    const firstFrames = [];
    const latencies = [];
    for (const [device, tag] of [[phone, 'phone'], [desktop, 'desktop']]) {
      const page = await newPage(device);
      const opened = Date.now();
      await page.goto(hub.url + '/watch/gala');
      await page.waitForFunction(() => document.querySelector('video').currentTime > 0, null, { timeout: 15000 });
      firstFrames.push(Date.now() - opened);
      const t1 = await page.$eval('video', (v) => v.currentTime);
      await sleep(3000);
      const t2 = await page.$eval('video', (v) => v.currentTime);
      assert(t2 > t1 + 2, `currentTime advances: ${t1} -> ${t2}`);
      for (let i = 0; i < 10; i++) {
        const l = await page.textContent('.latency');
        const s = Number((l.match(/[\d.]+/) || [])[0]);
        if (s > 0) latencies.push(s);
        await sleep(500);
      }
      await screenshot(page, `live-${tag}`);
      if (tag === 'desktop') {
        // Quality: the lowest rendition, and still playing.
        await page.click('.ctl-quality');
        const items = await page.$$('.quality-item');
        assert(items.length >= 2, 'quality menu lists auto and renditions');
        await items[items.length - 1].click();
        const a = await page.$eval('video', (v) => v.currentTime);
        await sleep(4000);
        const b = await page.$eval('video', (v) => v.currentTime);
        assert(b > a + 2, 'plays after a quality switch');
        await screenshot(page, 'live-desktop-quality');

        // Publisher drop and back: same page, playing again.
        await page.evaluate(() => (window.__sameDocument = true));
        await stop(ff);
        await sleep(4000);
        ff = publish(rtmp);
        const c = await page.$eval('video', (v) => v.currentTime);
        await page.waitForFunction((c0) => document.querySelector('video').currentTime > c0 + 3, c, { timeout: 30000 });
        assert(await page.evaluate(() => window.__sameDocument === true), 'recovered without a reload');
      }
      assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
      await page.context().close();
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)];
    log(`first frame ms: ${firstFrames.join(', ')}; hls.js latency p50 ${p50} s over ${latencies.length} samples`);
    assert(Math.max(...firstFrames) <= 2000 + 1000, `first frame within about 2 s: ${firstFrames}`);
  } finally {
    await stop(ff);
  }
}
