// Walking challenges end to end in the browser: the organisation and members come from CSV
// through the CLI; an admin creates the challenge in the studio; the organisation's app submits
// steps with its credential (one implausible report is held); the admin approves the held report
// in the studio, sees the leaderboard and the per-day chart; a member opens their page on a phone
// through the signed link the app issues: today's steps, totals, rank, boards, certificate; a
// tampered link is refused.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const shanghaiDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(ms));

export default async function challenge({ startHub, newPage, phone, desktop, screenshot, assert, waitFor }) {
  const hub = await startHub();
  const orgs = join(hub.dataDir, 'orgs.csv');
  writeFileSync(orgs, 'id,parent_id,name,level\n1,,省总工会,1\n2,1,甲市总工会,2\n3,2,甲县总工会,3\n4,3,一中工会,4\n5,3,二中工会,4\n');
  await hub.cli('org', 'import', orgs);
  const members = join(hub.dataDir, 'members.csv');
  writeFileSync(members, 'member_no,name,org_id,phone\nM-1,张三,4,\nM-2,李四,4,\nM-3,王五,5,\n');
  const imported = await hub.cli('member', 'import', members);
  assert(imported.includes('3 new'), `members imported: ${imported}`);
  await hub.cliWithInput('boss-password-1\n', 'user', 'create', 'boss', '--admin', '--display-name', '管理员', '--password-stdin');

  // The admin creates the challenge in the studio: it started six days ago.
  const today = shanghaiDay(Date.now());
  const yesterday = shanghaiDay(Date.now() - 86400000);
  const admin = await newPage(desktop);
  await admin.goto(`${hub.url}/studio/`);
  await admin.fill('input[name="username"]', 'boss');
  await admin.fill('input[name="password"]', 'boss-password-1');
  await admin.click('[data-test="signin-submit"]');
  await admin.waitForSelector('[data-nav="/challenges"]');
  await admin.click('[data-nav="/challenges"]');
  await admin.click('[data-test="challenge-new"]');
  await admin.fill('input[name="challenge-name"]', '秋季健步走');
  await admin.fill('[data-test="challenge-start"] input', shanghaiDay(Date.now() - 6 * 86400000));
  await admin.keyboard.press('Enter');
  await admin.fill('[data-test="challenge-end"] input', shanghaiDay(Date.now() + 20 * 86400000));
  await admin.keyboard.press('Enter');
  await admin.click('[data-test="challenge-save"]');
  await waitFor(() => admin.$('.challenge-row:has-text("秋季健步走")'), 'the new challenge is listed', 10000);
  const list = await (await admin.request.get(`${hub.url}/api/v1/challenges`)).json();
  const ch = list.challenges.find((c) => c.name === '秋季健步走');
  assert(ch && ch.qualify_steps === 6000 && ch.daily_cap === 30000, `the challenge as created: ${JSON.stringify(ch)}`);

  // The organisation's app: a credential, then reports with idempotency keys.
  const me = await (await admin.request.get(`${hub.url}/api/v1/auth/me`)).json();
  const app = await (await admin.request.post(`${hub.url}/api/v1/challenge-apps`, {
    data: { name: '工会 App', org_id: 0 }, headers: { 'x-csrf-token': me.csrf_token },
  })).json();
  assert(app.bearer && app.secret, `app credential: ${JSON.stringify(app)}`);
  let key = 0;
  const report = async (member_no, date, steps) => {
    const r = await fetch(`${hub.url}/api/v1/challenges/${ch.id}/steps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.bearer}`, 'content-type': 'application/json', 'idempotency-key': `e2e-${++key}` },
      body: JSON.stringify({ member_no, date, steps, source: 'e2e' }),
    });
    return { status: r.status, body: await r.json() };
  };
  for (const [m, d, s] of [['M-1', yesterday, 12000], ['M-1', today, 8000], ['M-2', today, 5000], ['M-3', today, 40000]]) {
    const r = await report(m, d, s);
    assert(r.status === 200, `report ${m} ${d} ${s}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const heldReport = await report('M-2', yesterday, 90000);
  assert(heldReport.status === 202, `an implausible report is held: ${heldReport.status} ${JSON.stringify(heldReport.body)}`);

  // The admin approves it in the studio; the board follows (capped at 30,000 a day).
  await admin.click(`.challenge-row:has-text("秋季健步走")`);
  await admin.click('.el-tabs__item:has-text("待核实上报")');
  await waitFor(() => admin.$('[data-test="held-table"] td:has-text("90000")'), 'the held report is listed', 10000);
  await admin.click('[data-test="held-table"] button:has-text("通过")');
  await waitFor(async () => !(await admin.$('[data-test="held-table"]')), 'no report waits any more', 10000);
  await admin.click('.el-tabs__item:has-text("排行榜")');
  await waitFor(async () => {
    const rows = await admin.$$eval('[data-test="challenge-board"] tbody tr', (trs) => trs.map((tr) => tr.textContent));
    return rows.length === 3 && rows[0].includes('李四') && rows[0].includes('35000');
  }, 'the approved report counts on the board (5,000 + 30,000 capped)', 10000);
  await admin.click('.el-tabs__item:has-text("每日统计")');
  await waitFor(() => admin.$('.line-chart canvas'), 'the per-day chart is drawn', 10000);
  await screenshot(admin, 'challenge-studio');

  // The member's page, through the signed link the app issues.
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const sig = createHmac('sha256', app.secret).update(`M-1\n${expires}`).digest('hex');
  const link = `${hub.url}/challenge/${ch.id}?app=${app.id}&member=M-1&expires=${expires}&sig=${sig}`;
  const member = await newPage(phone);
  await member.goto(link);
  await waitFor(async () => ((await member.textContent('#today-steps').catch(() => '')) || '') === '8000', "the member sees today's steps", 15000);
  const stats = await member.$$eval('.ch-stat', (els) => els.map((e) => e.textContent));
  assert(stats[0].includes('2.0万') && stats[0].includes('累计步数'), `total: ${stats}`);
  assert(stats[1].startsWith('2') && stats[3].startsWith('3'), `qualifying days 2 and rank 3: ${stats}`);
  await waitFor(() => member.$('.ch-row-me:has-text("张三")'), 'the member is highlighted on the board', 10000);
  await member.click('.ch-tab:has-text("单位")');
  await waitFor(async () => {
    const names = await member.$$eval('.ch-board .ch-name', (els) => els.map((e) => e.textContent));
    return names[0]?.startsWith('一中工会') && names[1]?.startsWith('二中工会');
  }, 'the grassroots unions are ranked by total', 10000);
  await screenshot(member, 'challenge-member-phone');
  const cert = await member.request.get(await member.getAttribute('.ch-cert', 'href').then((h) => new URL(h, hub.url).href));
  assert(cert.status() === 200 && cert.headers()['content-type'].startsWith('image/png'), `certificate: ${cert.status()} ${cert.headers()['content-type']}`);

  // A link with a changed member number is refused.
  const forged = await newPage(phone);
  await forged.goto(link.replace('member=M-1', 'member=M-2'));
  await waitFor(async () => ((await forged.textContent('#challenge-error').catch(() => '')) || '').includes('链接已失效'), 'a forged link is refused', 10000);
  for (const p of [admin, member, forged]) assert(p.errors.length === 0, `page errors: ${p.errors}`);
}
