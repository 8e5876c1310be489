// The studio (cms/web) at /studio/ against a real hub: sign-in (a wrong password says so),
// navigation by role (an editor sees nothing of admin, and a typed admin URL sends them back),
// the organisation switcher for someone with roles in two organisations, the reviewer's queue
// with approve from the dashboard's figure to the item's state, the calendar with a post dragged
// to another day, analytics of that week with its CSV, accounts with a CSV import previewed
// before it is applied, another city's editor who sees only their city's accounts, the content editor (preview, cover upload, per-account version checked
// against its platform, diff, submit), the organisation tree and users pages, the audit log with
// a filter, an ended session sending the user back to sign in, and the new item approved from the
// queue and published now to three accounts (app, website, WeChat) that each get it once at the
// fake publishing platform. Then the live control room
// (studio_live.mjs, a hub of its own).
import { spawn } from '../child.mjs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import studioLive from './studio_live.mjs';

// The fake publishing platform of the CMS tests (tests/support/fake_platform), on a free loopback
// port: it records every post it receives (GET /_fake/posts).
async function startFakePlatform(repo, waitFor) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-fake-platform-'));
  const portFile = path.join(dir, 'port');
  const proc = spawn('python3', [path.join(repo, 'tests/support/fake_platform/fake_platform.py'), '--port-file', portFile, '--secret', 'fake-platform-secret'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await waitFor(async () => Number((await fs.readFile(portFile, 'utf8').catch(() => '')).trim()) || 0, 'the fake platform starts', 10000);
  return { url: `http://127.0.0.1:${port}`, secret: 'fake-platform-secret', stop: () => proc.kill('SIGTERM') };
}

async function signInUi(page, url, username, password) {
  await page.goto(`${url}/studio/`);
  await page.waitForSelector('[data-test="signin-submit"]');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('[data-test="signin-submit"]');
}

const navPaths = (page) => page.$$eval('[data-nav]', (els) => els.map((e) => e.dataset.nav));

export default async function studio(ctx) {
  const platform = await startFakePlatform(ctx.repo, ctx.waitFor);
  try {
    await studioMain(ctx, platform);
  } finally {
    platform.stop();
  }
  await studioLive(ctx);
}

async function studioMain({ startHub, newPage, desktop, screenshot, assert, waitFor }, platform) {
  const hub = await startHub({
    env: { HUB_CMS_SCHEDULE_WECHAT_BASE_URL: platform.url, HUB_CMS_SCHEDULE_WEIBO_BASE_URL: platform.url, HUB_CMS_SCHEDULE_DOUYIN_BASE_URL: platform.url },
  });
  await hub.cliWithInput('boss-password-1\n', 'user', 'create', 'boss', '--admin', '--display-name', '管理员', '--password-stdin');

  // An unknown path below /studio/ is a page of the app (the hub serves index.html); a missing
  // asset stays a 404.
  const deep = await fetch(`${hub.url}/studio/admin/audit`);
  assert(deep.status === 200 && (await deep.text()).includes('<div id="app">'), `deep link: ${deep.status}`);
  const asset = await fetch(`${hub.url}/studio/assets/missing-0000.js`);
  assert(asset.status === 404, `missing asset: ${asset.status}`);

  // The admin: a wrong password first, then in.
  const admin = await newPage(desktop);
  await signInUi(admin, hub.url, 'boss', 'wrong-password');
  await waitFor(async () => ((await admin.textContent('[data-test="signin-error"]').catch(() => '')) || '').includes('用户名或密码错误'),
    'a wrong password is refused with a message', 10000);
  await screenshot(admin, 'studio-signin');
  await signInUi(admin, hub.url, 'boss', 'boss-password-1');
  await waitFor(() => admin.$('[data-fig="review"]'), 'the admin reaches the dashboard', 10000);
  const adminNav = await navPaths(admin);
  assert(JSON.stringify(adminNav) === JSON.stringify(['/', '/content', '/calendar', '/review', '/accounts', '/challenges', '/live', '/analytics', '/admin/users', '/admin/orgs', '/admin/audit']), `admin nav: ${adminNav}`);
  assert((await admin.textContent('[data-test="who"]')) === '管理员', 'the display name is shown');

  // The admin sets up two cities, an editor in both, a reviewer for the province.
  const me = await (await admin.request.get(`${hub.url}/api/v1/auth/me`)).json();
  const csrf = { 'x-csrf-token': me.csrf_token };
  const api = async (method, path, data) => {
    const r = await admin.request.fetch(`${hub.url}${path}`, { method, data, headers: csrf });
    assert(r.status() < 300, `${method} ${path}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  await api('POST', '/api/v1/orgs', { id: 1, parent_id: 0, name: '省总工会', level: 1 });
  await api('POST', '/api/v1/orgs', { id: 2, parent_id: 1, name: '甲市总工会', level: 2 });
  await api('POST', '/api/v1/orgs', { id: 3, parent_id: 1, name: '乙市总工会', level: 2 });
  await api('POST', '/api/v1/users', {
    username: 'ed', password: 'ed-password-1', org_id: 2, display_name: '编辑小王',
    grants: [{ role: 'editor', org_id: 2 }, { role: 'editor', org_id: 3 }],
  });
  const rev = await api('POST', '/api/v1/users', {
    username: 'rev', password: 'rev-password-1', org_id: 1, display_name: '审核老李', grants: [{ role: 'reviewer', org_id: 1 }],
  });

  // The editor: no admin, no review queue; an admin URL typed by hand goes back to the dashboard;
  // the switcher offers both cities and remembers the choice.
  const ed = await newPage(desktop);
  await signInUi(ed, hub.url, 'ed', 'ed-password-1');
  await waitFor(() => ed.$('[data-fig="review"]'), 'the editor reaches the dashboard', 10000);
  const edNav = await navPaths(ed);
  assert(JSON.stringify(edNav) === JSON.stringify(['/', '/content', '/calendar', '/accounts', '/challenges', '/live', '/analytics']), `editor nav: ${edNav}`);
  await ed.goto(`${hub.url}/studio/admin/audit`);
  await waitFor(async () => new URL(ed.url()).pathname === '/studio/', 'an editor typing the audit URL lands on the dashboard', 10000);
  assert((await ed.$('[data-test="audit-table"]')) === null, 'no audit table for an editor');
  await ed.click('.org-switch');
  await waitFor(() => ed.$('.el-select-dropdown__item:has-text("乙市总工会")'), 'the switcher lists the second city', 5000);
  const options = await ed.$$eval('.el-select-dropdown__item', (els) => els.map((e) => e.textContent.trim()));
  assert(options.includes('甲市总工会') && options.includes('乙市总工会'), `switcher options: ${options}`);
  await ed.click('.el-select-dropdown__item:has-text("乙市总工会")');
  await ed.reload();
  await waitFor(async () => ((await ed.textContent('.org-switch').catch(() => '')) || '').includes('乙市总工会'), 'the chosen organisation is remembered', 10000);
  await screenshot(ed, 'studio-editor');

  // The editor writes an item in the first city and submits it (through the API; the content
  // editor page comes later).
  const edMe = await (await ed.request.get(`${hub.url}/api/v1/auth/me`)).json();
  const edCsrf = { 'x-csrf-token': edMe.csrf_token };
  const created = await ed.request.post(`${hub.url}/api/v1/content`, {
    data: { org_id: 2, type: 'article', title: '甲市劳模表彰大会', body: '# 表彰\n\n正文' }, headers: edCsrf,
  });
  assert(created.status() === 201, `create item: ${created.status()} ${await created.text()}`);
  const item = await created.json();
  const submitted = await ed.request.post(`${hub.url}/api/v1/content/${item.id}/submit`, { data: {}, headers: edCsrf });
  assert(submitted.status() === 200, `submit: ${submitted.status()} ${await submitted.text()}`);

  // The reviewer sees it on the dashboard and in the queue, and approves it.
  const reviewer = await newPage(desktop);
  await signInUi(reviewer, hub.url, 'rev', 'rev-password-1');
  await waitFor(async () => ((await reviewer.textContent('[data-fig="review"] .figure-value').catch(() => '')) || '').trim() === '1',
    "the dashboard counts the item waiting for the reviewer", 10000);
  const reviewLink = await reviewer.getAttribute('[data-card="review"] a.item-link', 'href');
  assert(reviewLink === `/studio/content/${item.id}`, `the waiting item links to it: ${reviewLink}`);
  const revNav = await navPaths(reviewer);
  assert(JSON.stringify(revNav) === JSON.stringify(['/', '/content', '/calendar', '/review', '/analytics']), `reviewer nav: ${revNav}`);
  await reviewer.click('[data-nav="/review"]');
  await waitFor(() => reviewer.$('[data-test="review-table"] td:has-text("甲市劳模表彰大会")'), 'the queue lists the item', 10000);
  await screenshot(reviewer, 'studio-review');
  await reviewer.click('[data-test="review-table"] button:has-text("通过")');
  await waitFor(() => reviewer.$('[data-test="review-empty"]'), 'the queue is empty after the approval', 10000);
  const after = await (await ed.request.get(`${hub.url}/api/v1/content/${item.id}`)).json();
  assert(after.state === 'approved', `the item is approved: ${after.state}`);

  // The calendar: the editor schedules the approved item on a website account for next
  // Tuesday 10:00 (China time), sees it on next week's calendar, and drags it to Thursday.
  const account = await ed.request.post(`${hub.url}/api/v1/accounts`, {
    data: { org_id: 2, platform: 'website', name: '甲市官网', settings: { url: 'http://127.0.0.1:9/hook' }, credentials: { secret: 's' } },
    headers: edCsrf,
  });
  assert(account.status() === 201, `account: ${account.status()} ${await account.text()}`);
  const shanghaiToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const dayPlus = (day, n) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.parse(`${day}T12:00:00+08:00`) + n * 86400000));
  const weekdayOf = (day) => ((new Date(Date.parse(`${day}T12:00:00+08:00`)).getUTCDay() + 6) % 7) + 1; // 1 = Monday
  const nextMonday = dayPlus(shanghaiToday, 8 - weekdayOf(shanghaiToday));
  const tuesday = dayPlus(nextMonday, 1);
  const thursday = dayPlus(nextMonday, 3);
  const scheduled = await ed.request.post(`${hub.url}/api/v1/schedules`, {
    data: { item_id: item.id, account_ids: [(await account.json()).id], times: [`${tuesday}T10:00:00+08:00`] },
    headers: edCsrf,
  });
  assert(scheduled.status() === 201, `schedule: ${scheduled.status()} ${await scheduled.text()}`);
  const post = (await scheduled.json()).schedules[0];
  await ed.click('.org-switch');
  await ed.click('.el-select-dropdown__item:has-text("甲市总工会")');
  await ed.click('[data-nav="/calendar"]');
  await ed.waitForSelector('[data-test="cal-next"]');
  await ed.click('[data-test="cal-next"]');
  const chip = `.cal-day[data-day="${tuesday}"] .cal-post[data-post="${post.id}"]`;
  await waitFor(() => ed.$(chip), "the post is on next Tuesday in next week's calendar", 10000);
  assert((await ed.textContent(chip)).includes('10:00'), 'the post shows its time in China time');
  await screenshot(ed, 'studio-calendar');
  await ed.dragAndDrop(chip, `.cal-day[data-day="${thursday}"]`);
  await waitFor(() => ed.$(`.cal-day[data-day="${thursday}"] .cal-post[data-post="${post.id}"]`), 'the dragged post is on Thursday', 10000);
  const moved = await (await ed.request.get(`${hub.url}/api/v1/schedules/${post.id}`)).json();
  assert(moved.at.startsWith(`${thursday}T10:00:00`), `the hub moved it to Thursday 10:00: ${moved.at}`);

  // Analytics for next week (a link with the range): the account with its one waiting post,
  // a chart with a point per day, and the table as CSV.
  await ed.goto(`${hub.url}/studio/analytics?from=${nextMonday}&to=${dayPlus(nextMonday, 6)}`);
  const row = '[data-test="analytics-table"] tr:has-text("甲市官网")';
  await waitFor(() => ed.$(row), 'analytics lists the account of the scheduled post', 10000);
  const cells = (await ed.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent.trim())));
  assert(JSON.stringify(cells) === JSON.stringify(['甲市官网', '网站', '0', '0', '0', '1']), `analytics row: ${cells}`);
  await waitFor(() => ed.$('[data-test="analytics-chart"] canvas'), 'the per-day chart is drawn', 10000);
  const [download] = await Promise.all([ed.waitForEvent('download'), ed.click('[data-test="analytics-accounts-csv"]')]);
  const csv = await fs.readFile(await download.path(), 'utf8');
  assert(csv.includes('甲市官网,网站,0,0,0,1,0'), `the CSV has the account's row: ${csv}`);
  await screenshot(ed, 'studio-analytics');

  // Accounts: the website account is connected; a CSV with a bad row is refused whole with its
  // line; a good one previews one new account and one move before anything is applied.
  await ed.click('[data-nav="/accounts"]');
  await waitFor(() => ed.$('[data-test="accounts-table"] tr:has-text("甲市官网"):has-text("已连接")'), 'the account list shows the connected account', 10000);
  await ed.click('[data-test="import-open"]');
  await ed.fill('textarea[data-test="import-text"]', 'platform,name,org_id\nmyspace,x,2\n');
  await ed.click('[data-test="import-preview"]');
  await waitFor(async () => ((await ed.textContent('[data-test="import-error"]').catch(() => '')) || '').includes('line 2'), 'a bad row is named by its line', 10000);
  await ed.fill('textarea[data-test="import-text"]', 'platform,name,org_id,groups\nweibo,甲市微博,2,新闻组\nwebsite,甲市官网,3,\n');
  await ed.click('[data-test="import-preview"]');
  await waitFor(async () => ((await ed.textContent('[data-test="import-plan"]').catch(() => '')) || '').includes('将新建 1 个、修改 1 个'), 'the preview counts one new and one changed', 10000);
  const before = await (await ed.request.get(`${hub.url}/api/v1/accounts?platform=weibo`)).json();
  assert(before.items.length === 0, 'the preview applied nothing');
  await screenshot(ed, 'studio-accounts-import');
  await ed.click('[data-test="import-apply"]');
  await waitFor(() => ed.$('[data-test="accounts-table"] td:has-text("甲市微博")'), 'the imported account is listed', 10000);
  const weibo = await (await ed.request.get(`${hub.url}/api/v1/accounts?platform=weibo`)).json();
  assert(weibo.items.length === 1 && weibo.items[0].org_id === 2, `the import created the weibo account: ${JSON.stringify(weibo)}`);

  // A city editor sees only their city's accounts: the second city's editor finds the website
  // account the import moved there, not the first city's Weibo account, which the API hides (404).
  await api('POST', '/api/v1/users', {
    username: 'ed-b', password: 'ed-b-password-1', org_id: 3, display_name: '乙市编辑', grants: [{ role: 'editor', org_id: 3 }],
  });
  const edB = await newPage(desktop);
  await signInUi(edB, hub.url, 'ed-b', 'ed-b-password-1');
  await waitFor(() => edB.$('[data-fig="review"]'), "the second city's editor reaches the dashboard", 10000);
  await edB.click('[data-nav="/accounts"]');
  await waitFor(() => edB.$('[data-test="accounts-table"] td:has-text("甲市官网")'), "the second city's editor sees the account moved to their city", 10000);
  assert((await edB.$('[data-test="accounts-table"] td:has-text("甲市微博")')) === null, "the first city's Weibo account is not listed for the second city's editor");
  const hidden = await edB.request.get(`${hub.url}/api/v1/accounts/${weibo.items[0].id}`);
  assert(hidden.status() === 404, `another city's account answers 404: ${hidden.status()}`);
  await screenshot(edB, 'studio-accounts-other-city');

  // Three accounts of the first city that publish to the fake platform: the city's app and
  // website (signed webhooks) and its WeChat official account.
  const fakeAccounts = [
    { platform: 'app', name: '甲市工会App', settings: { url: `${platform.url}/hook/app`, lookup_url: `${platform.url}/hook/app/lookup` }, credentials: { secret: platform.secret } },
    { platform: 'website', name: '甲市工会网', settings: { url: `${platform.url}/hook/web`, lookup_url: `${platform.url}/hook/web/lookup` }, credentials: { secret: platform.secret } },
    { platform: 'wechat_oa', name: '甲市工会服务号', settings: { app_id: 'wx-e2e' }, credentials: { app_secret: 's' } },
  ];
  const fakeIds = [];
  for (const a of fakeAccounts) {
    const r = await ed.request.post(`${hub.url}/api/v1/accounts`, { data: { org_id: 2, ...a }, headers: edCsrf });
    assert(r.status() === 201, `account ${a.name}: ${r.status()} ${await r.text()}`);
    fakeIds.push((await r.json()).id);
  }

  // The content editor: a new item with a live Markdown preview, a cover uploaded in chunks with
  // progress, a Weibo version refused for its title (Weibo posts have none) until fixed, a second
  // revision compared with the first, then submitted for review.
  await ed.click('[data-nav="/content"]');
  await ed.click('[data-test="content-new"]');
  await ed.fill('input[name="title"]', '甲市职工运动会');
  await ed.fill('textarea[data-test="content-body"]', '# 运动会\n\n**十一月** 开幕');
  await waitFor(async () => ((await ed.innerHTML('[data-test="content-preview"]')) || '').includes('<strong>十一月</strong>'), 'the preview renders the Markdown', 10000);
  await ed.click('[data-test="content-save"]');
  await waitFor(async () => /\/studio\/content\/\d+$/.test(new URL(ed.url()).pathname), 'the new item is saved and opened', 10000);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(700 * 1024, 0x6a)]); // two chunks
  await ed.setInputFiles('[data-test="cover-file"]', { name: 'cover.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await waitFor(() => ed.$('img.cover-thumb'), 'the uploaded cover is shown', 15000);
  await ed.fill('textarea[data-test="content-body"]', '# 运动会\n\n**十一月** 开幕\n\n新增一行');
  await ed.click('[data-test="content-save"]');
  await waitFor(async () => ((await ed.textContent('[data-test="revisions-table"]').catch(() => '')) || '').includes('2'), 'a second revision', 10000);
  await ed.click('[data-test="variant-accounts"]');
  await ed.click('.el-select-dropdown__item:has-text("甲市微博")');
  await ed.keyboard.press('Escape');
  const variant = '.variant:has-text("甲市微博")';
  await ed.waitForSelector(variant);
  await ed.fill(`${variant} textarea`, '长'.repeat(2001));
  await waitFor(async () => (await ed.getAttribute(`${variant} [data-counter="body"]`, 'class')).includes('over'), 'the counter turns red over 2,000 characters', 5000);
  await ed.click(`${variant} button:has-text("保存此版本")`);
  await waitFor(async () => ((await ed.textContent(variant)) || '').includes('have no title'), "the hub's refusal is shown on the version", 10000);
  await ed.fill(`${variant} input`, '');
  await ed.fill(`${variant} textarea`, '运动会下周开幕');
  await ed.click(`${variant} button:has-text("保存此版本")`);
  const itemId = new URL(ed.url()).pathname.split('/').pop();
  await waitFor(async () => {
    const v = await (await ed.request.get(`${hub.url}/api/v1/content/${itemId}/variants`)).json();
    return v.items?.length === 1 && v.items[0].body === '运动会下周开幕';
  }, 'the fixed version is stored', 10000);
  assert(!((await ed.textContent(variant)) || '').includes('have no title'), 'the refusal is gone from the version');
  await screenshot(ed, 'studio-editor-variants');
  await ed.click('.el-tabs__item:has-text("修订历史")');
  await ed.click('[data-test="diff-show"]');
  await waitFor(async () => ((await ed.textContent('[data-test="diff"]').catch(() => '')) || '').includes('+ 新增一行'), 'the diff shows the added line', 10000);
  await ed.click('[data-test="content-submit"]');
  await waitFor(async () => ((await ed.textContent('[data-test="content-state"]')) || '').includes('审核中'), 'submitted for review', 10000);

  // Admin: the organisation tree grows a grassroots union under the second city, and a
  // moderator for the first city is created in the users page and can sign in.
  await admin.click('[data-nav="/admin/orgs"]');
  await waitFor(() => admin.$('[data-test="org-tree"] .el-tree-node:has-text("省总工会")'), 'the tree shows the province', 10000);
  await admin.click('[data-test="org-tree"] .el-tree-node__content:has-text("省总工会")');
  await waitFor(() => admin.$('[data-test="org-tree"] .el-tree-node__content:has-text("乙市总工会")'), 'the province opens to its cities', 10000);
  await admin.hover('[data-test="org-tree"] .el-tree-node__content:has-text("乙市总工会")');
  await admin.click('[data-test="org-tree"] .el-tree-node__content:has-text("乙市总工会") button:has-text("添加下级")');
  await admin.fill('.el-message-box input', '乙市一中工会');
  await admin.click('.el-message-box button:has-text("确定")');
  await admin.click('[data-test="org-tree"] .el-tree-node__content:has-text("省总工会")');
  await admin.click('[data-test="org-tree"] .el-tree-node__content:has-text("乙市总工会")');
  await waitFor(() => admin.$('[data-test="org-tree"] .el-tree-node__content:has-text("乙市一中工会")'), 'the new grassroots union is in the tree', 10000);
  const orgs3 = await (await admin.request.get(`${hub.url}/api/v1/orgs/3/children`)).json();
  assert(orgs3.items.some((o) => o.name === '乙市一中工会'), 'the hub stored the new organisation');

  await admin.click('[data-nav="/admin/users"]');
  await waitFor(() => admin.$('[data-test="users-table"] td:has-text("审核老李")'), 'the users page lists the reviewer', 10000);
  await admin.click('[data-test="user-new"]');
  await admin.fill('input[name="new-username"]', 'mod');
  await admin.fill('input[name="new-display-name"]', '场控小张');
  await admin.fill('input[name="new-password"]', 'mod-password-1');
  await admin.click('[data-test="grant-add"]');
  await admin.click('.grant-row .el-select >> nth=0');
  await admin.click('.el-select-dropdown__item:visible:has-text("场控")');
  await admin.click('[data-test="user-save"]');
  await waitFor(() => admin.$('[data-test="users-table"] td:has-text("场控小张")'), 'the new moderator is listed', 10000);
  const modLogin = await fetch(`${hub.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'mod', password: 'mod-password-1' }) });
  const modMe = await modLogin.json();
  assert(modLogin.status === 200 && modMe.user.grants.some((g) => g.role === 'moderator'), `the moderator signs in with the role: ${JSON.stringify(modMe)}`);
  await screenshot(admin, 'studio-users');

  // The audit log: the admin filters on sign-ins.
  await admin.click('[data-nav="/admin/audit"]');
  await waitFor(() => admin.$('[data-test="audit-table"] td:has-text("content.")'), 'the audit log lists content actions', 10000);
  await admin.fill('input[data-test="audit-action"]', 'auth.');
  await admin.click('[data-test="audit-search"]');
  await waitFor(async () => {
    const actions = await admin.$$eval('[data-test="audit-table"] tbody tr td:nth-child(3)', (els) => els.map((e) => e.textContent.trim()));
    return actions.length > 0 && actions.every((a) => a.startsWith('auth.')) && actions.includes('auth.login_failed');
  }, 'the filter keeps sign-ins only, the failed one included', 10000);
  await screenshot(admin, 'studio-audit');
  await admin.click('[data-nav="/admin/orgs"]');
  await waitFor(() => admin.$('[data-test="org-tree"] :text("省总工会")'), 'the organisation tree shows the province', 10000);
  await screenshot(admin, 'studio-orgs');

  // The admin ends the reviewer's sessions: the reviewer's next request lands on sign-in, which
  // says why, and signing in again returns to the page they were on.
  await api('POST', `/api/v1/users/${rev.id}/revoke-sessions`, {});
  await reviewer.click('[data-nav="/"]');
  await waitFor(async () => new URL(reviewer.url()).pathname === '/studio/signin', 'an ended session goes to sign-in', 10000);
  await waitFor(async () => ((await reviewer.textContent('[data-test="signin-error"]').catch(() => '')) || '').includes('登录已过期'),
    'the sign-in page says the session ended', 5000);
  await reviewer.fill('input[name="username"]', 'rev');
  await reviewer.fill('input[name="password"]', 'rev-password-1');
  await reviewer.click('[data-test="signin-submit"]');
  await waitFor(() => reviewer.$('[data-fig="review"]'), 'back on the dashboard after signing in again', 10000);

  // The reviewer approves the new item from the queue; the editor opens its publishing tab,
  // publishes it now to the three accounts, and each post arrives at the fake platform once and
  // shows as published.
  await reviewer.click('[data-nav="/review"]');
  const queued = '[data-test="review-table"] tr:has-text("甲市职工运动会")';
  await waitFor(() => reviewer.$(queued), 'the queue lists the new item', 10000);
  await reviewer.click(`${queued} button:has-text("通过")`);
  await waitFor(() => reviewer.$('[data-test="review-empty"]'), 'the queue is empty after the second approval', 10000);
  await ed.goto(`${hub.url}/studio/content/${itemId}`);
  await waitFor(async () => ((await ed.textContent('[data-test="content-state"]').catch(() => '')) || '').includes('已通过'), 'the editor sees the item approved', 10000);
  await ed.click('.el-tabs__item:has-text("发布计划")');
  // The accounts the item has versions for come picked (the Weibo account): the editor unpicks
  // it and picks the three.
  await waitFor(async () => ((await ed.textContent('[data-test="schedule-accounts"]')) || '').includes('甲市微博'), 'the account with a version comes picked', 10000);
  await ed.click('[data-test="schedule-accounts"]');
  await ed.click('.el-select-dropdown__item:visible:has-text("甲市微博")');
  for (const a of fakeAccounts) await ed.click(`.el-select-dropdown__item:visible:has-text("${a.name}")`);
  await ed.keyboard.press('Escape');
  await ed.click('[data-test="schedule-now"]');
  await waitFor(async () => (await ed.$$('[data-test="schedule-targets"] .el-table__body tr')).length === 3, 'the three posts are listed', 10000);
  // Only this publish reaches this platform: two signed webhooks naming the item and their
  // account, one WeChat mass send.
  const arrived = await waitFor(async () => {
    const { posts } = await (await fetch(`${platform.url}/_fake/posts`)).json();
    return posts.length >= 3 ? posts : null;
  }, 'the three posts arrive at the fake platform', 60000);
  const hooks = arrived.filter((p) => p.kind === 'webhook');
  assert(arrived.length === 3 && hooks.length === 2 && arrived.filter((p) => p.kind === 'wechat').length === 1, `receipts: ${JSON.stringify(arrived)}`);
  assert(hooks.every((p) => String(p.item_id) === String(itemId)), `the webhooks name the item: ${JSON.stringify(hooks)}`);
  assert(JSON.stringify(hooks.map((p) => Number(p.account_id)).sort()) === JSON.stringify(fakeIds.slice(0, 2).sort()), `a webhook per account: ${JSON.stringify(hooks)}`);
  await waitFor(async () => (await ed.$$('[data-test="schedule-targets"] [data-post-state="published"]')).length === 3, 'the publishing tab shows the three posts published', 30000);
  await screenshot(ed, 'studio-published');
  await admin.click('[data-nav="/content"]');
  await waitFor(() => admin.$('[data-test="content-table"] td:has-text("甲市职工运动会")'), 'the content list shows the item', 10000);
  await screenshot(admin, 'studio-content-list');
  await admin.click('[data-nav="/"]');
  await waitFor(() => admin.$('[data-fig="review"]'), 'the admin is back on the dashboard', 10000);
  await screenshot(admin, 'studio-dashboard');

  // Signing out ends the session for real.
  await ed.click('[data-test="sign-out"]');
  await waitFor(async () => new URL(ed.url()).pathname === '/studio/signin', 'signed out', 10000);
  const gone = await ed.request.get(`${hub.url}/api/v1/auth/me`);
  assert(gone.status() === 401, `the session is gone after signing out: ${gone.status()}`);
  for (const p of [admin, ed, reviewer, edB]) assert(p.errors.length === 0, `page errors: ${p.errors}`);
}
