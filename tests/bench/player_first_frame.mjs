// Time to first frame in the browser: the hub's LL-HLS against nginx-rtmp's HLS (`hls on`,
// 1 s fragments) as the peer, in the same run, fed by one ffmpeg encode (tee muxer: the same
// 720p30 1 s-GOP H.264 + AAC goes to both RTMP ingests). Debian's Chromium through
// playwright-core opens, round after round (order alternating), three pages in fresh contexts:
//   hub    a bare page with hls.js (the player's version and low-latency settings) on the hub's
//          master playlist (passthrough stream);
//   nginx  the same page on nginx-rtmp's playlist;
//   watch  the hub's own /watch page (app, chat, hls.js loaded by the app).
// First frame = the first requestVideoFrameCallback, in ms from the start of navigation.
// Prints the medians and the hub/nginx ratio, with the host's load. Usage:
//   deploy/build-web.sh && node tests/bench/player_first_frame.mjs --hub build/app/hub [--rounds 5]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromiumArgs, freePort, loadPlaywright, startHub, waitFor } from '../e2e/harness.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    hub: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    chromium: { type: 'string', default: process.env.HUB_CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!values.hub) throw new Error('usage: player_first_frame.mjs --hub PATH [--rounds N] [--chromium PATH]');
const rtmpModule = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
if (!existsSync(rtmpModule)) throw new Error('nginx rtmp module missing: deploy/install-deps.sh bench');
const hlsJs = join(repo, 'player-web/node_modules/hls.js/dist/hls.light.min.js');
if (!existsSync(hlsJs)) throw new Error('player-web/node_modules missing: deploy/build-web.sh');

const ADMIN = 'bench-admin-token-0123456789';
const work = mkdtempSync(join(tmpdir(), 'first-frame-'));
const children = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The bare page, served by nginx next to its HLS files (the hub's media carry CORS *).
copyFileSync(hlsJs, join(work, 'hls.light.min.js'));
writeFileSync(join(work, 'bench.html'), `<!doctype html><meta charset="utf-8">
<video muted playsinline autoplay style="width:640px"></video>
<script src="hls.light.min.js"></script>
<script>
  const v = document.querySelector('video');
  v.requestVideoFrameCallback(() => { window.firstFrame = performance.now(); });
  const hls = new Hls({ lowLatencyMode: true, enableWorker: false, maxLiveSyncPlaybackRate: 1.5,
                        liveDurationInfinity: true, backBufferLength: 30 });
  hls.on(Hls.Events.MANIFEST_PARSED, () => v.play().catch(() => {}));
  hls.attachMedia(v);
  hls.loadSource(new URLSearchParams(location.search).get('src'));
</script>`);

async function main() {
  const hub = await startHub({ binary: values.hub, webRoot: join(repo, 'player-web/dist'), env: { HUB_ADMIN_TOKEN: ADMIN } });
  try {
    const stream = JSON.parse(await hub.cli('stream', 'create', 'ff', '--json'));
    const put = await fetch(`${hub.url}/api/v1/streams/ff/ladder`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ passthrough_only: true, ladder: [] }),
    });
    if (put.status !== 200) throw new Error(`passthrough: ${put.status}`);

    const nRtmp = await freePort();
    const nHttp = await freePort();
    writeFileSync(join(work, 'nginx.conf'), `load_module ${rtmpModule};
daemon off; master_process off; worker_processes 1;
pid ${work}/nginx.pid; error_log ${work}/error.log;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:${nRtmp}; application live { live on; hls on; hls_path ${work}/hls;
  hls_fragment 1s; hls_playlist_length 6s; } } }
http { access_log off; types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; text/html html;
  application/javascript js; }
  server { listen 127.0.0.1:${nHttp}; root ${work}; add_header Cache-Control no-cache;
    add_header Access-Control-Allow-Origin *; } }
`);
    children.push(spawn('nginx', ['-p', work, '-c', join(work, 'nginx.conf')], { stdio: 'ignore' }));

    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
      '-pix_fmt', 'yuv420p', '-b:v', '2500k', '-c:a', 'aac', '-b:a', '96k', '-flags', '+global_header', '-map', '0:v', '-map', '1:a', '-f', 'tee',
      `[f=flv:onfail=ignore]rtmp://127.0.0.1:${hub.rtmpPort}/live/${stream.key}|` +
      `[f=flv:onfail=ignore]rtmp://127.0.0.1:${nRtmp}/live/ff`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let ffErr = '';
    ff.stderr.on('data', (d) => (ffErr += d));
    children.push(ff);
    process.on('exit', () => ffErr && console.error('ffmpeg: ' + ffErr));

    const page = (src) => `http://127.0.0.1:${nHttp}/bench.html?src=${encodeURIComponent(src)}`;
    const targets = {
      hub: page(`${hub.url}/live/ff/master.m3u8`),
      nginx: page(`http://127.0.0.1:${nHttp}/hls/ff.m3u8`),
      watch: `${hub.url}/watch/ff`,
    };
    await waitFor(async () => (await fetch(`${hub.url}/live/ff/master.m3u8`)).status === 200, 'hub master', 20000).catch((e) => {
      throw new Error(`${e.message}\n${hub.log().slice(-3000)}`);
    });
    await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${nHttp}/hls/ff.m3u8`);
      return r.status === 200 && ((await r.text()).match(/#EXTINF/g) ?? []).length >= 3;
    }, 'nginx playlist with 3 fragments', 30000);
    await sleep(3000);

    const { chromium } = loadPlaywright(join(repo, 'player-web'));
    const browser = await chromium.launch({ executablePath: values.chromium, args: chromiumArgs, headless: true });
    const times = { hub: [], nginx: [], watch: [] };
    const rounds = Number(values.rounds);
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 ? ['nginx', 'watch', 'hub'] : ['hub', 'nginx', 'watch'];
      for (const name of order) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const p = await context.newPage();
        await p.goto(targets[name]);
        await p.waitForFunction(() => window.firstFrame || (window.hubPlayer && window.hubPlayer.marks.frame), null, { timeout: 20000 });
        times[name].push(await p.evaluate(() => window.firstFrame ?? window.hubPlayer.marks.frame));
        await context.close();
        await sleep(500);
      }
    }
    await browser.close();
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`host: ${cpus().length} cores, load average ${load}; ${rounds} rounds`);
    for (const [name, xs] of Object.entries(times))
      console.log(`${name.padEnd(6)} first frame median ${Math.round(median(xs))} ms  (${xs.map(Math.round).join(', ')})`);
    console.log(`ratio hub/nginx ${(median(times.hub) / median(times.nginx)).toFixed(2)}, watch/nginx ${(median(times.watch) / median(times.nginx)).toFixed(2)}`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await hub.stop();
    try {
      const err = readFileSync(join(work, 'error.log'), 'utf8');
      if (/\[(emerg|crit)\]/.test(err)) console.error(err);
    } catch {
      /* nginx wrote nothing */
    }
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
