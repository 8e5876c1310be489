// The send box when the hub refuses a message: the viewer reads why in plain words under the
// chat, the text stays in the box (nothing typed is lost), and nobody else sees it. Against a
// real hub with small limits ([chat] max_text 20, rate_burst 3, rate_per_minute 1) and a block
// list with one word: too long for the hub (its welcome says 20: the counter counts to 20 and
// the send button stays off), a word on the block list, a flood past the burst (the notice says
// how many seconds to wait), and a moderator's mute (the notice says until when, when the mute
// comes and again when the muted viewer tries to send). A message the hub takes empties the box
// and shows in both pages.

const ADMIN = 'e2e-admin-token-0123456789';
const DORA_ID = 4242;

export default async function chatSend({ startHub, newPage, screenshot, phone, desktop, assert, waitFor, log }) {
  const hub = await startHub({
    env: { HUB_ADMIN_TOKEN: ADMIN, HUB_CHAT_MAX_TEXT: '20', HUB_CHAT_RATE_BURST: '3', HUB_CHAT_RATE_PER_MINUTE: '1' },
  });
  const admin = async (method, path, body) => {
    const r = await fetch(hub.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    assert(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
    return r.json().catch(() => null);
  };
  await admin('POST', '/api/v1/rooms', { name: 'gala', title: '晚会' });
  await admin('PUT', '/api/v1/chat/words', { lists: [{ name: 'e2e', kind: 'block', words: ['违禁词'] }] });

  const dora = await newPage(phone);
  const bob = await newPage(desktop);
  await dora.goto(`${hub.url}/watch/gala#token=${encodeURIComponent(await hub.cli('token', 'user', 'dora', '--id', String(DORA_ID)))}`);
  await bob.goto(`${hub.url}/watch/gala#token=${encodeURIComponent(await hub.cli('token', 'user', 'bob'))}`);
  for (const p of [dora, bob]) await waitFor(async () => (await p.textContent('.chat-status')) === '', 'chat joined');

  const box = () => dora.inputValue('.chat-form .chat-input');
  const status = () => dora.textContent('.chat-status');
  const shownIn = (p, text) => p.$$eval('.msg-text', (els, t) => els.some((e) => e.textContent === t), text);
  const sendOk = async (text) => {
    await dora.fill('.chat-form .chat-input', text);
    await dora.click('.chat-form .chat-send');
    await waitFor(() => shownIn(bob, text), `bob sees "${text}"`, 5000);
    await waitFor(async () => (await box()) === '', `the box is emptied once "${text}" went out`, 5000);
  };
  const refused = async (text, notice, what) => {
    await dora.fill('.chat-form .chat-input', text);
    await dora.click('.chat-form .chat-send');
    const shown = await waitFor(async () => {
      const s = await status();
      return notice instanceof RegExp ? notice.test(s) && s : s === notice && s;
    }, `${what}: the viewer is told "${notice}"`, 5000);
    assert((await box()) === text, `${what}: the text stays in the box: "${await box()}"`);
    assert(!(await dora.$eval('.chat-form .chat-send', (b) => b.disabled)), `${what}: the viewer can send it again`);
    log(`chat send ${what}: "${shown}", box kept "${text}"`);
    return shown;
  };

  // Too long for this hub: the counter counts to the hub's 20 (not the player's default 200)
  // and the button stays off, with the text kept in the box.
  const long = '这是一条超过二十个字的消息，服务器不会接受它的吧';
  await dora.fill('.chat-form .chat-input', long);
  const counter = await waitFor(async () => {
    const c = await dora.textContent('.chat-form .chat-counter');
    return c === `${[...long].length}/20` && c;
  }, 'the counter counts to the hub\'s limit', 5000);
  assert(await dora.$eval('.chat-form .chat-counter', (c) => c.classList.contains('over')), 'the counter shows it is over');
  assert(await dora.$eval('.chat-form .chat-send', (b) => b.disabled), 'too long: the send button is off');
  assert((await box()) === long, 'too long: the text stays in the box');
  log(`chat send too long: counter "${counter}", send off, box kept`);
  // A word on the block list.
  const blocked = '我要说违禁词了';
  await refused(blocked, '消息包含敏感词，未能发送', 'filtered');

  // A flood: the burst of three goes out, the fourth is refused.
  for (const text of ['第一条', '第二条', '第三条']) await sendOk(text);
  // One a minute refills: the wait is told in seconds (under a minute, most of it).
  const wait = await refused('第四条', /^发言太快了，请 \d+ 秒后再试$/, 'rate limited');
  const seconds = Number(/\d+/.exec(wait)[0]);
  assert(seconds > 30 && seconds <= 60, `rate limited: a wait of ${seconds} s for one message a minute`);
  await screenshot(dora, 'chat-send-refused-phone');

  // A moderator mutes dora for ten minutes: she is told until when, at once and when she tries.
  await admin('POST', '/api/v1/rooms/gala/moderation', { action: 'mute', user_id: DORA_ID, seconds: 600, moderator: 'e2e' });
  const entry = (await admin('GET', '/api/v1/rooms/gala/moderation')).entries.find((e) => e.action === 'mute');
  const hhmm = await dora.evaluate((u) => new Date(u).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' }), entry.until);
  const mutedNotice = `你已被禁言，到 ${hhmm}`;
  await waitFor(async () => (await status()) === mutedNotice, `the mute is shown: "${mutedNotice}"`, 5000);
  await dora.fill('.chat-form .chat-input', '');
  await waitFor(async () => (await status()) === '', 'the notice goes away by itself', 10000);
  await refused('禁言后说话', mutedNotice, 'muted');
  await screenshot(dora, 'chat-send-muted-phone');

  for (const text of [long, blocked, '第四条', '禁言后说话'])
    for (const [p, who] of [[dora, 'dora'], [bob, 'bob']]) assert(!(await shownIn(p, text)), `${who} does not see the refused "${text}"`);
  for (const p of [dora, bob]) assert(p.errors.length === 0, `page errors: ${p.errors.join('; ')}`);
  await dora.context().close();
  await bob.context().close();
}
