// The e2e harness: a real `hub serve` (HUB_DEMO=0) on free loopback ports with its own data
// dir and the built web app, and Debian's Chromium driven by playwright-core. Each spec gets
// { hub, browser, newPage, screenshot, log, assert } and throws on failure.
import { execFile } from 'node:child_process';
import { spawn } from './child.mjs';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startHub({ binary, webRoot, args = [], env = {} }) {
  const httpPort = await freePort();
  const rtmpPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const argv = [
    'serve',
    '--http-listen', `127.0.0.1:${httpPort}`,
    '--rtmp-listen', `127.0.0.1:${rtmpPort}`,
    '--data-dir', dataDir,
    '--http-web-root', webRoot,
    // The page's origin: the chat's WebSocket Origin check allows the public URL's.
    '--http-public-url', `http://127.0.0.1:${httpPort}`,
    ...args,
  ];
  const proc = spawn(binary, argv, { env: { ...process.env, HUB_DEMO: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const runCli = (cliArgs, input) =>
    new Promise((resolve, reject) => {
      const child = execFile(binary, [...cliArgs, '--data-dir', dataDir], { env: { ...process.env, HUB_DEMO: '0', ...env } }, (err, stdout, stderr) =>
        err ? reject(new Error(`hub ${cliArgs.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout.trim()),
      );
      child.stdin.end(input ?? '');
    });
  const url = `http://127.0.0.1:${httpPort}`;
  const hub = {
    url,
    httpPort,
    rtmpPort,
    dataDir,
    binary,
    log: () => output,
    // Runs another `hub` command against the same data dir (tokens, streams).
    cli: (...cliArgs) => runCli(cliArgs),
    // The same with `input` on its standard input (e.g. `hub user create ... --password-stdin`).
    cliWithInput: (input, ...cliArgs) => runCli(cliArgs, input),
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const done = new Promise((r) => proc.once('exit', r));
        const killed = sleep(15000).then(() => proc.kill('SIGKILL'));
        await Promise.race([done, killed]);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`hub exited with ${proc.exitCode}:\n${output}`);
    try {
      const r = await fetch(url + '/healthz');
      if (r.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await hub.stop();
      throw new Error(`hub did not answer /healthz:\n${output}`);
    }
    await sleep(100);
  }
  return hub;
}

export function loadPlaywright(playerWebDir) {
  const require = createRequire(join(playerWebDir, 'package.json'));
  return require('playwright-core');
}

export const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47' };
export const desktop = { viewport: { width: 1280, height: 800 } };

export function assert(cond, message) {
  if (!cond) throw new Error('assertion failed: ' + message);
}

export async function waitFor(fn, message, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out: ${message} (last: ${last})`);
}

export function ensureDir(dir) {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  return dir;
}
