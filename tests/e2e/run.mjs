#!/usr/bin/env node
// Runs one e2e spec: node run.mjs --spec pages --hub build/app/hub --out build/e2e
//   [--chromium /usr/bin/chromium] [--web player-web/dist]
// Starts the hub and Chromium, runs specs/<spec>.mjs, saves screenshots under --out, exits 1
// on any failure (a missing browser, hub or tool is a failure, never a skip).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assert, chromiumArgs, ensureDir, loadPlaywright, startHub, waitFor, phone, desktop } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const { values } = parseArgs({
  options: {
    spec: { type: 'string' },
    hub: { type: 'string' },
    out: { type: 'string', default: 'e2e-out' },
    chromium: { type: 'string', default: process.env.HUB_CHROMIUM || '/usr/bin/chromium' },
    web: { type: 'string', default: join(repo, 'player-web/dist') },
  },
});

async function main() {
  if (!values.spec || !values.hub) throw new Error('usage: run.mjs --spec NAME --hub PATH [--out DIR] [--chromium PATH]');
  if (!existsSync(values.chromium)) throw new Error(`no Chromium at ${values.chromium} (deploy/install-deps.sh test installs it)`);
  if (!existsSync(join(values.web, 'index.html'))) throw new Error(`no built web app in ${values.web} (deploy/build-web.sh)`);
  const spec = await import(join(here, 'specs', values.spec + '.mjs'));
  const out = ensureDir(resolve(values.out, values.spec));
  const { chromium } = loadPlaywright(join(repo, 'player-web'));
  const browser = await chromium.launch({ executablePath: values.chromium, args: chromiumArgs, headless: true });
  const hubs = [];
  const started = Date.now();
  try {
    const ctx = {
      repo,
      out,
      browser,
      phone,
      desktop,
      assert,
      waitFor,
      startHub: async (opts = {}) => {
        const h = await startHub({ binary: resolve(values.hub), webRoot: values.web, ...opts });
        hubs.push(h);
        return h;
      },
      // A page in its own browser context (own storage: a separate viewer).
      newPage: async (device = desktop) => {
        const context = await browser.newContext({ ...device, locale: 'zh-CN' });
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.errors = errors;
        return page;
      },
      screenshot: async (page, name) => {
        const file = join(out, name + '.png');
        // Transitions (a tag zooming in, a dialog fading) are shown finished: what a user sees a
        // moment later.
        await page.screenshot({ path: file, animations: 'disabled' });
        console.log(`screenshot ${file}`);
        return file;
      },
      log: (...a) => console.log(...a),
    };
    await spec.default(ctx);
    console.log(`e2e ${values.spec}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    for (const h of hubs) console.error(`--- hub log ---\n${h.log()}`);
    throw e;
  } finally {
    await browser.close();
    for (const h of hubs) await h.stop();
  }
}

main().catch((e) => {
  console.error(`e2e ${values.spec}: FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
