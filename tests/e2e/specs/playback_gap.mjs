// Live playback through holes in the video, as a ladder rung that dropped frames leaves them
// (the transcoder drops up to the next key frame when it falls behind; the encoder never sees
// those frames): ffmpeg publishes, looped, a 10 s clip whose video has two holes while its audio
// runs on, one ending at a key frame and one in the middle of a GOP, to a stream with a
// transcoded rung. The audio covers the holes, so no rendition lists a gap: the hub cuts the
// audio of a hole into parts of its own and shows the frame after it for the hole's length.
// - Chromium: the watch page, from its first frame on, plays through 12 s of media (so through
//   each kind of hole at least once) without a reload and without the player restarting; its
//   clock (the audio's) never stands still much longer than a hole.
// - ffprobe, once the publisher stopped and the stream ended (short grace period): every frame
//   the publisher sent decodes from the source rendition's playlist, the rung's runs to its end,
//   both playlists' durations are their media's, and in both the audio runs on without a break.
// - The replay page: its duration is the live one's, the quality menu, 180p, a seek.
import { execFile } from 'node:child_process';
import { spawn } from '../child.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stop } from './playback.mjs';

const ADMIN = 'e2e-admin-token-0123456789';
const CLIP_S = 10;
// Media time (s) of the holes in the clip: [from, to). The frame at the end of the first is a
// key frame (one a second), the one at the end of the second is not.
const HOLES = [[4.4, 6.0], [8.4, 9.5]];

// A tool's exit code and its output (stdout, or stderr when it failed).
function run(cmd, args) {
  return new Promise((resolve) =>
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => resolve({ code: err ? err.code ?? 1 : 0, out: err ? stderr : stdout })));
}

// A 640x360 30 fps clip with 1 s GOPs and a tone; video frames inside HOLES left out, the
// others keeping their time stamps.
async function makeClip(file) {
  const skip = HOLES.map(([a, b]) => `between(t,${a},${b - 0.01})`).join('+');
  // A key frame every second, but not at the second hole's end (its next frame is not a key).
  const keys = [...Array(CLIP_S).keys()].filter((s) => s !== Math.ceil(HOLES[0][0]) && s !== Math.floor(HOLES[1][1])).join(',');
  const r = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(CLIP_S), '-vf', `select='not(${skip})'`, '-fps_mode', 'passthrough',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '600', '-sc_threshold', '0', '-force_key_frames', keys,
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', file]);
  if (r.code !== 0) throw new Error(`ffmpeg clip: ${r.out}`);
}

// Frames decoded and the last frame's time from an HLS playlist URL, and its duration.
async function probe(url) {
  const frames = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', url]);
  const last = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time',
    '-of', 'csv=p=0', url]);
  const duration = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', url]);
  const audio = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts_time',
    '-of', 'csv=p=0', url]);
  const times = last.out.split('\n').map(Number).filter((x) => x > 0);
  // The audio's longest break: the widest step between two packets (one AAC frame is 21 ms).
  const apts = audio.out.split('\n').filter((x) => x.trim() !== '').map(Number).sort((a, b) => a - b);
  let audioBreak = apts.length ? 0 : Infinity;
  for (let i = 1; i < apts.length; i++) audioBreak = Math.max(audioBreak, apts[i] - apts[i - 1]);
  return {
    frames: Number(frames.out.trim().split('\n')[0]),
    first: times.length ? Math.min(...times) : NaN,
    last: times.length ? Math.max(...times) : NaN,
    duration: Number(duration.out.trim()),
    audioPackets: apts.length,
    audioSpan: apts.length ? apts[apts.length - 1] - apts[0] : 0,
    audioBreak,
    errors: frames.code === 0 && audio.code === 0 ? '' : frames.out + audio.out,
  };
}

// The recording on its replay page (its duration the live playlists', holes included): the
// quality menu lists auto and both renditions, 180p makes the picture 180 px high, and a seek
// plays on from there.
async function replay(hub, newPage, screenshot, desktop, assert, waitFor, log, liveDuration) {
  let rec = null;
  await waitFor(async () => {
    const body = await (await fetch(`${hub.url}/api/v1/public/recordings`)).json();
    rec = (body.recordings ?? []).find((r) => (r.stream ?? r.stream_name) === 'holes');
    return rec;
  }, 'the recording is listed', 30000);
  const page = await newPage(desktop);
  await page.goto(`${hub.url}/replay/${rec.id}`);
  await page.waitForFunction(() => document.querySelector('video').currentTime > 0.5, null, { timeout: 20000 });
  await waitFor(async () => (await page.$$('.quality-item')).length === 3 && (await page.isVisible('.ctl-quality')),
    'the replay quality menu lists auto, source and 180p', 15000);
  const duration = await page.$eval('video', (v) => v.duration);
  const target = duration - 4;
  assert(Math.abs(duration - liveDuration) < 1, `replay duration ${duration} s, live ${liveDuration} s with its holes`);
  // 180p: the picture becomes 180 px high as it plays on.
  await page.click('.ctl-quality');
  await page.click('.quality-item:text-is("180p")');
  const videoState = () => page.$eval('video', (v) => ({ t: v.currentTime, paused: v.paused, ended: v.ended, h: v.videoHeight,
    buffered: [...Array(v.buffered.length).keys()].map((i) => [v.buffered.start(i), v.buffered.end(i)]) }));
  await waitFor(() => page.$eval('video', (v) => v.videoHeight === 180), 'the replay shows 180p', 15000).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify(await videoState())}`);
  });
  // A seek near the end plays on from there.
  await page.$eval('video', (v, t) => (v.currentTime = t), target);
  await waitFor(() => page.$eval('video', (v, t) => v.currentTime > t + 1, target),
    `the replay plays on from ${target} s`, 15000).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify(await videoState())}`);
  });
  const a = await page.$eval('video', (v) => v.currentTime);
  await screenshot(page, 'replay-after-holes');
  assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
  log(`playback gap: replay ${rec.id} of ${duration.toFixed(1)} s at 180p: seek to ${target} s played on to ${a.toFixed(1)} s`);
  await page.context().close();
}

export default async function playbackGap({ startHub, newPage, screenshot, desktop, assert, waitFor, log, out }) {
  const clip = join(out, 'holes.flv');
  await makeClip(clip);
  // A window that holds the whole stream, so ffprobe reads it from its start after the end.
  const hub = await startHub({ args: ['--hls-grace-period', '3', '--hls-window-segments', '60'],
    env: { HUB_ADMIN_TOKEN: ADMIN, HUB_HLS_MASTER_WAIT_MS: '0' } });
  const s = JSON.parse(await hub.cli('stream', 'create', 'holes', '--json'));
  const put = await fetch(`${hub.url}/api/v1/streams/holes/ladder`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ passthrough_only: false, ladder: [{ name: '180p', height: 180, bitrate: 300000 }] }),
  });
  assert(put.status === 200, `ladder set: ${put.status}`);

  // Looped until the page has played through the holes, however long it took to start.
  const progress = join(out, 'holes-progress.txt');
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy',
    '-progress', progress, '-f', 'flv', `rtmp://127.0.0.1:${hub.rtmpPort}/live/${s.key}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    // The viewer opens the watch page as soon as the stream is there.
    await waitFor(async () => (await fetch(`${hub.url}/live/holes/master.m3u8`)).status === 200, 'holes master playlist', 20000);
    const page = await newPage(desktop);
    await page.goto(hub.url + '/watch/holes');
    await page.evaluate(() => {
      window.__sameDocument = true;
      window.__samples = [];
      setInterval(() => {
        const v = document.querySelector('video');
        const p = window.hubPlayer;
        window.__samples.push([performance.now(), v ? v.currentTime : 0, p ? p.state : '']);
      }, 100);
    });
    await page.waitForFunction(() => window.hubPlayer && (window.hubPlayer.marks.frame || window.hubPlayer.marks.playing), null, { timeout: 30000 });
    // The holes hls.js seeks over (none, when the audio covers them and the player is far
    // enough from the live edge to have the frame after each hole in time).
    await page.evaluate(() => {
      window.__holeSkips = [];
      window.hubPlayer.hls?.on('hlsError', (_, d) => d.details === 'bufferSeekOverHole' && window.__holeSkips.push(d.reason));
    });
    const t0 = await page.$eval('video', (v) => v.currentTime);
    const span = CLIP_S + 2;
    await page.waitForFunction((t) => document.querySelector('video').currentTime > t, t0 + span, { timeout: 60000 });
    // The audio covers the holes: no rendition lists a gap.
    for (const r of ['source', '180p']) {
      const body = await (await fetch(`${hub.url}/live/holes/${r}/index.m3u8`)).text();
      assert(body.includes('#EXT-X-PART:') && !body.includes('GAP'), `${r} lists no gap: ${body}`);
    }
    const buffered = await page.$eval('video', (v) => [...Array(v.buffered.length).keys()].map((i) => [v.buffered.start(i), v.buffered.end(i)]));
    const samples = await page.evaluate(() => window.__samples);
    const holeSkips = await page.evaluate(() => window.__holeSkips);
    const state = await page.evaluate(() => window.hubPlayer.state);
    const stats = await page.evaluate(() => window.hubPlayer.stats());
    const marks = await page.evaluate(() => window.hubPlayer.marks);
    await screenshot(page, 'live-after-holes');
    // From the first frame on: how long the picture stood still at most, and how far it went.
    const playing = samples.filter(([, t]) => t > 0);
    let frozen = 0;
    for (let i = 1, since = playing[0][0]; i < playing.length; i++) {
      if (playing[i][1] > playing[i - 1][1]) since = playing[i][0];
      frozen = Math.max(frozen, playing[i][0] - since);
    }
    const advanced = playing[playing.length - 1][1] - playing[0][1];
    const watched = (playing[playing.length - 1][0] - playing[0][0]) / 1000;
    const holeMax = Math.max(...HOLES.map(([a, b]) => b - a));
    log(`playback gap: played ${advanced.toFixed(1)} s of media in ${watched.toFixed(1)} s from the first frame, ` +
      `longest freeze ${(frozen / 1000).toFixed(2)} s, ${stats.stalls} stalls, latency ${stats.latency}, buffered ${JSON.stringify(buffered)}, ` +
      `states ${[...new Set(samples.map((x) => x[2]))].join(',')}, marks ${JSON.stringify(marks)}`);
    assert(await page.evaluate(() => window.__sameDocument === true), 'played through without a reload');
    assert(!samples.some((x) => x[2] === 'recovering'), 'the player never had to restart (no fatal error)');
    assert(state === 'playing', `player state after the holes: ${state}`);
    // The clock (the audio's) stands still at most about a hole: when the hole lasts longer than
    // the player's distance to the live edge it waits for the frame after it, then plays the
    // hole's sound. Logged, not asserted (on a loaded host the player also seeks to catch up
    // with the edge): how far the clock ever jumped, the buffered ranges, hls.js's hole skips.
    let skipped = 0;
    for (let i = 1; i < playing.length; i++)
      skipped = Math.max(skipped, playing[i][1] - playing[i - 1][1] - 1.6 * (playing[i][0] - playing[i - 1][0]) / 1000);
    log(`playback gap: the clock jumped ${skipped.toFixed(2)} s at most; hls.js skipped ${holeSkips.length} hole(s): ${holeSkips.join('; ')}`);
    assert(frozen / 1000 <= holeMax + 1.0, `the clock stood still ${(frozen / 1000).toFixed(2)} s (longest hole ${holeMax} s)`);
    assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
    await page.context().close();

    // The publisher stops (after two loops at least, so the replay below has room to switch and
    // seek); after the grace period the playlists end and ffprobe reads them whole.
    await waitFor(() => Number([...readFileSync(progress, 'utf8').matchAll(/^out_time_us=(\d+)$/gm)].pop()?.[1] ?? 0) >= 2 * CLIP_S * 1e6,
      'two loops sent', 60000);
    ff.kill('SIGINT');
    await waitFor(async () => ff.exitCode !== null, 'the publisher stops', 10000);
    const sent = Number([...readFileSync(progress, 'utf8').matchAll(/^frame=(\d+)$/gm)].pop()?.[1] ?? -1);
    await waitFor(async () => (await (await fetch(`${hub.url}/live/holes/source/index.m3u8`)).text()).includes('#EXT-X-ENDLIST'),
      'the source playlist ends', 15000);
    const source = await probe(`${hub.url}/live/holes/source/index.m3u8`);
    const rung = await probe(`${hub.url}/live/holes/180p/index.m3u8`);
    log(`playback gap: ffprobe source ${JSON.stringify(source)}, 180p ${JSON.stringify(rung)}, publisher sent ${sent} frames`);
    assert(source.errors === '' && rung.errors === '', `ffprobe errors: ${source.errors} ${rung.errors}`);
    assert(Math.abs(source.frames - sent) <= 2, `source: ${source.frames} frames decoded of ${sent} sent`);
    assert(rung.frames > 0 && rung.last > source.last - 2, `180p decodes to the end: ${rung.first}..${rung.last}`);
    for (const [name, p] of [['source', source], ['180p', rung]]) {
      assert(Math.abs(p.duration - (p.last - p.first)) < 1.0, `${name}: listed duration ${p.duration} s against media ${p.first}..${p.last}`);
      // The audio runs through the holes: no break longer than a few AAC frames (a loop's seam),
      // and as much of it as the listed time holds (48 kHz, 1,024 samples a frame).
      assert(p.audioBreak < 0.1, `${name}: the audio breaks for ${p.audioBreak} s`);
      assert(Math.abs(p.audioSpan - p.duration) < 0.5 && Math.abs(p.audioPackets - p.duration * 48000 / 1024) < 25,
        `${name}: ${p.audioPackets} audio packets over ${p.audioSpan} s for a listed ${p.duration} s`);
    }
    await replay(hub, newPage, screenshot, desktop, assert, waitFor, log, source.duration);
  } finally {
    await stop(ff);
  }
}
