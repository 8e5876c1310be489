// The pages as a viewer meets them on a hub with nothing live: the home page with its three
// sections, a watch page for a stream that is not publishing (offline state, video area,
// chat box with its counter, like button), the replay page, the English switch, and the bullet
// comment settings remembered per device, and the watch page's JavaScript budget (200 KiB
// gzipped). Screenshots at phone and desktop sizes.
import { gzipSync } from 'node:zlib';

export default async function pages({ startHub, newPage, screenshot, phone, desktop, assert, waitFor, log }) {
  const hub = await startHub();

  // The watch page's JavaScript, everything it loads (hls.js included), gzipped: at most 200 KiB.
  {
    const page = await newPage(phone);
    const scripts = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.push(r);
    });
    await page.goto(hub.url + '/watch/gala');
    await waitFor(async () => (await page.textContent('.stage-overlay')).includes('主播暂时离开'), 'hls.js loaded and gave its verdict', 15000);
    let raw = 0;
    let gz = 0;
    for (const r of scripts) {
      const body = await r.body();
      raw += body.length;
      gz += gzipSync(body, { level: 9 }).length;
    }
    log(`watch page JavaScript: ${scripts.length} files, ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
    assert(scripts.length >= 2, 'the app and the lazily loaded player were both fetched');
    assert(gz <= 200 * 1024, `watch page JS ${gz} bytes gzipped, budget 200 KiB`);
    await page.context().close();
  }

  for (const [device, tag] of [[phone, 'phone'], [desktop, 'desktop']]) {
    const page = await newPage(device);
    await page.goto(hub.url + '/');
    await page.waitForSelector('#live h2');
    const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    assert(JSON.stringify(headings) === JSON.stringify(['正在直播', '即将开始', '精彩回放']), `home headings ${headings}`);
    await waitFor(() => page.evaluate(() => document.getElementById('app').dataset.loaded === 'true'), 'home loaded');
    await screenshot(page, `home-${tag}`);

    await page.goto(hub.url + '/watch/gala');
    await page.waitForSelector('.stage video');
    // Nothing publishes "gala": the player says so instead of spinning forever.
    await waitFor(async () => (await page.textContent('.stage-overlay')).includes('主播暂时离开'), 'offline state shown', 15000);
    const stage = await page.$eval('.stage', (el) => el.getBoundingClientRect().toJSON());
    assert(stage.width > 0 && Math.abs(stage.height - (stage.width * 9) / 16) < 2, `16:9 stage ${JSON.stringify(stage)}`);
    // Every control over the video is at least 44 px tall.
    const small = await page.$$eval('.stage button:not([hidden]), .chat-form button, .chat-input, .topbar a, .topbar button', (els) =>
      els.filter((e) => e.offsetParent !== null).map((e) => [e.className, e.getBoundingClientRect().height]).filter(([, h]) => h < 44),
    );
    assert(small.length === 0, `tap targets under 44 px: ${JSON.stringify(small)}`);
    // The send box counts code points up to 200 and refuses more.
    await page.fill('.chat-form .chat-input', '你好😀');
    assert((await page.textContent('.chat-counter')) === '3/200', 'counter counts code points');
    await page.fill('.chat-form .chat-input', 'x'.repeat(201));
    assert((await page.textContent('.chat-counter')) === '201/200', 'counter over the limit');
    assert(await page.$eval('.chat-form .chat-send', (b) => b.disabled), 'send disabled over the limit');
    await page.fill('.chat-form .chat-input', '');
    if (tag === 'phone') {
      // Portrait: video on top, chat below it.
      const chat = await page.$eval('.chat', (el) => el.getBoundingClientRect().toJSON());
      assert(chat.top >= stage.bottom, 'chat below the video on a phone');
    } else {
      const chat = await page.$eval('.chat', (el) => el.getBoundingClientRect().toJSON());
      assert(chat.left >= stage.right, 'chat beside the video on a desktop');
    }
    await screenshot(page, `watch-offline-${tag}`);

    // Bullet comments off, density high: remembered after a reload.
    await page.click('.ctl-dm');
    await page.reload();
    await page.waitForSelector('.ctl-dm');
    assert((await page.textContent('.ctl-dm')) === '弹幕关', 'danmaku off remembered');
    await page.click('.ctl-dm');
    await page.click('.ctl-density');
    await page.reload();
    await page.waitForSelector('.ctl-density');
    assert((await page.textContent('.ctl-density')).includes('多'), 'density remembered');

    await page.goto(hub.url + '/replay/does-not-exist');
    await page.waitForSelector('.stage-replay video');
    await waitFor(async () => (await page.textContent('.stage-overlay')).includes('回放不存在'), 'missing replay said so', 15000);
    await screenshot(page, `replay-${tag}`);
    assert(page.errors.length === 0, `page errors: ${page.errors.join('; ')}`);
    await page.context().close();
  }

  // English on request, kept for the next page.
  const page = await newPage(phone);
  await page.goto(hub.url + '/');
  await page.click('.lang');
  await page.waitForSelector('#live h2');
  await waitFor(async () => (await page.textContent('#live h2')) === 'Live now', 'English headings');
  await page.goto(hub.url + '/watch/gala');
  await waitFor(async () => (await page.textContent('.chat-form .chat-send')) === 'Send', 'English chat');
  await screenshot(page, 'watch-offline-phone-en');
  await page.context().close();
}
