// /challenge/<id>?app&member&expires&sig: a member's walking-challenge page, reached through the
// signed link the organisation's app gives them. Today's steps, totals, rank, milestones, a chart
// of the daily steps, the leaderboards in tabs (individuals, organisations) and the certificate.
// Refreshed every minute; a failed refresh keeps what is shown.

import { ApiFailure, Board, MemberLinkParams, MemberSummary, MyOrg, certificateUrl, fetchAround, fetchBoard, fetchMyOrg, fetchSummary, linkParams } from '../challenge/challenge_api';
import { stepsChart } from '../challenge/steps_chart';
import { formatCount, t } from '../i18n';
import { clear, h } from '../ui/dom';
import { topBar } from './top_bar';

type BoardKind = { key: string; label: () => string; query: Record<string, string>; percent?: boolean };

const individualBoards: BoardKind[] = [
  { key: 'total', label: () => t('boardTotal'), query: { board: 'individuals', by: 'total' } },
  { key: 'day', label: () => t('boardToday'), query: { board: 'individuals', by: 'day' } },
  { key: 'week', label: () => t('boardWeek'), query: { board: 'individuals', by: 'week' } },
];

function orgBoards(level: string): BoardKind[] {
  return [
    { key: 'org-total', label: () => t('boardOrgTotal'), query: { board: 'orgs', level, by: 'total' } },
    { key: 'org-average', label: () => t('boardOrgAverage'), query: { board: 'orgs', level, by: 'average' } },
    { key: 'org-rate', label: () => t('boardOrgRate'), query: { board: 'orgs', level, by: 'rate' }, percent: true },
  ];
}

function stat(label: string, value: string): HTMLElement {
  return h('div.ch-stat', {}, h('div.ch-stat-value', {}, value), h('div.ch-stat-label', {}, label));
}

function scoreText(kind: BoardKind, score: number): string {
  // Participation rates come in parts per million so ranks stay integers.
  return kind.percent ? `${(score / 10000).toFixed(1)}%` : formatCount(score);
}

function boardList(kind: BoardKind, board: Board): HTMLElement {
  if (!board.rows.length) return h('p.empty', {}, t('boardEmpty'));
  const list = h('ol.ch-board');
  for (const r of board.rows) {
    list.append(
      h(
        `li.ch-row${r.me ? '.ch-row-me' : ''}` as 'li',
        {},
        h(`span.ch-rank${r.rank <= 3 ? '.ch-rank-top' : ''}` as 'span', {}, String(r.rank)),
        h('span.ch-name', {}, r.name || r.id, r.org ? h('small', {}, r.org) : null),
        h('span.ch-score', {}, scoreText(kind, r.score)),
      ),
    );
  }
  return list;
}

function segmented(kinds: BoardKind[], onPick: (k: BoardKind) => void): HTMLElement {
  const bar = h('div.ch-seg', { role: 'tablist' });
  kinds.forEach((k, i) => {
    const b = h('button.ch-seg-btn', { type: 'button', role: 'tab', 'aria-selected': String(i === 0) }, k.label());
    b.addEventListener('click', () => {
      for (const other of Array.from(bar.children)) other.setAttribute('aria-selected', String(other === b));
      onPick(k);
    });
    bar.append(b);
  });
  return bar;
}

function milestonesRow(s: MemberSummary): HTMLElement {
  const row = h('div.ch-milestones');
  const reached = new Set(s.milestonesReached);
  for (const m of s.challenge.milestones) {
    const done = reached.has(m) || s.totalSteps >= m;
    row.append(h(`span.ch-milestone${done ? '.ch-milestone-done' : ''}` as 'span', { title: done ? t('milestoneReached') : '' }, (done ? '✓ ' : '') + formatCount(m)));
  }
  const next = s.challenge.milestones.find((m) => s.totalSteps < m);
  if (next !== undefined) row.append(h('span.ch-next', {}, t('milestoneNext', { n: formatCount(next - s.totalSteps) })));
  return row;
}

const orgTotalKind: BoardKind = { key: 'my-org', label: () => '', query: {} };

// My organisation among its parent's organisations (by total steps).
function myOrgView(o: MyOrg): HTMLElement {
  return h(
    'section.ch-card.ch-my-org',
    {},
    h('h2', {}, t('myOrgRank')),
    h('p.ch-my-org-line', {}, o.rank ? t('myOrgLine', { org: o.name, parent: o.parentName, rank: o.rank, of: o.of }) : t('myOrgUnranked', { org: o.name })),
    o.board.rows.length ? boardList(orgTotalKind, o.board) : null,
  );
}

function summaryView(s: MemberSummary): HTMLElement {
  const c = s.challenge;
  const q = c.qualifySteps;
  const pct = q > 0 ? Math.min(100, Math.round((s.today.steps / q) * 100)) : 100;
  const qualified = q > 0 && s.today.steps >= q;
  return h(
    'div',
    {},
    h(
      'section.ch-card.ch-today',
      {},
      h('div.ch-today-label', {}, t('todaySteps')),
      h('div.ch-today-value', { id: 'today-steps' }, formatCount(s.today.steps)),
      q > 0 ? h('div.ch-progress', { role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 }, h('div.ch-progress-fill', { style: `width:${pct}%` })) : null,
      h('div.ch-today-note', {}, qualified ? t('qualifiedToday') : q > 0 ? t('toQualify', { n: formatCount(q - s.today.steps) }) : ''),
    ),
    h(
      'section.ch-stats',
      {},
      stat(t('totalSteps'), formatCount(s.totalSteps)),
      stat(t('qualifyingDays'), String(s.qualifyingDays)),
      stat(t('streak'), String(s.currentStreak)),
      stat(t('myRank'), s.rank ? String(s.rank) : '—'),
    ),
    c.milestones.length ? h('section.ch-card', {}, h('h2', {}, t('milestones')), milestonesRow(s)) : null,
    h('section.ch-card', {}, h('h2', {}, t('dailySteps')), stepsChart(s.days, { width: 340, height: 140, cap: c.dailyCap, qualify: q, title: t('dailySteps'), scaleLabel: formatCount })),
  );
}

export function challengePage(root: HTMLElement, id: string): void {
  document.title = t('challengeTitle');
  root.append(topBar(false));
  const main = h('main.ch-main');
  root.append(main);
  const link = linkParams(location.search);
  if (!link) {
    main.append(h('p.empty', { id: 'challenge-error' }, t('linkMissing')));
    return;
  }
  const head = h('header.ch-head');
  const body = h('div');
  const boards = h('section.ch-card.ch-boards');
  const cert = h('a.ch-cert', { href: certificateUrl(id, link), target: '_blank', rel: 'noopener' }, t('certificate'));
  main.append(head, body, boards, cert);
  let teamLevel = '';

  const showError = (e: unknown) => {
    const code = e instanceof ApiFailure ? e.code : '';
    const text = code.startsWith('link.') ? t('linkInvalid') : e instanceof ApiFailure && e.status === 404 ? t('challengeMissing') : t('loadFailed');
    if (!body.firstChild) body.append(h('p.empty', { id: 'challenge-error' }, text));
  };

  const refresh = async () => {
    try {
      const s = await fetchSummary(id, link);
      clear(head);
      document.title = s.challenge.name || t('challengeTitle');
      head.append(
        h('h1', {}, s.challenge.name),
        h('p.ch-dates', {}, `${s.challenge.startDate} – ${s.challenge.endDate}`),
        h('p.ch-who', {}, s.memberName, s.orgName ? ` · ${s.orgName}` : '', s.participants ? ` · ${t('participants', { n: formatCount(s.participants) })}` : ''),
      );
      const myOrg = await fetchMyOrg(id, link).catch(() => null);
      clear(body);
      body.append(summaryView(s));
      if (myOrg) body.append(myOrgView(myOrg));
      if (s.challenge.teamLevel !== teamLevel) {
        teamLevel = s.challenge.teamLevel;
        buildBoards(boards, id, link, teamLevel);
      }
    } catch (e) {
      showError(e);
    }
  };
  void refresh();
  setInterval(() => void refresh(), 60_000);
}

function buildBoards(section: HTMLElement, id: string, link: MemberLinkParams, level: string): void {
  clear(section);
  const content = h('div.ch-board-wrap');
  const around = h('div.ch-around');
  const load = async (k: BoardKind) => {
    content.dataset.board = k.key;
    try {
      const [top, mine] = await Promise.all([fetchBoard(id, link, { ...k.query, limit: 50 }), fetchAround(id, link, k.query)]);
      if (content.dataset.board !== k.key) return; // another tab was picked meanwhile
      clear(content);
      content.append(boardList(k, top));
      clear(around);
      if (mine.rows.length && !top.rows.some((r) => r.me)) around.append(h('h3', {}, k.query.board === 'orgs' ? t('myOrgRank') : t('aroundMe')), boardList(k, mine));
    } catch {
      if (content.dataset.board === k.key && !content.firstChild) content.append(h('p.empty', {}, t('loadFailed')));
    }
  };
  const people = segmented(individualBoards, (k) => void load(k));
  const orgs = segmented(orgBoards(level), (k) => void load(k));
  orgs.hidden = true;
  const tabs = h('div.ch-tabs', { role: 'tablist' });
  const tab = (label: string, pane: HTMLElement, first: BoardKind, selected: boolean) => {
    const b = h('button.ch-tab', { type: 'button', role: 'tab', 'aria-selected': String(selected) }, label);
    b.addEventListener('click', () => {
      for (const other of Array.from(tabs.children)) other.setAttribute('aria-selected', String(other === b));
      people.hidden = pane !== people;
      orgs.hidden = pane !== orgs;
      for (const [i, seg] of Array.from(pane.children).entries()) seg.setAttribute('aria-selected', String(i === 0));
      void load(first);
    });
    return b;
  };
  tabs.append(tab(t('boardPeople'), people, individualBoards[0], true), tab(t('boardOrgs'), orgs, orgBoards(level)[0], false));
  section.append(h('h2', {}, t('leaderboards')), tabs, people, orgs, content, around);
  void load(individualBoards[0]);
}
