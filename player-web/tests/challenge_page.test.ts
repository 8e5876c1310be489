import { describe, expect, it } from 'vitest';
import { linkParams, linkQuery, parseBoard, parseSummary } from '../src/challenge/challenge_api';
import { chartGeometry, niceCeiling } from '../src/challenge/steps_chart';

describe('the member link', () => {
  it('needs all four signed parameters and passes them on unchanged', () => {
    expect(linkParams('?app=3&member=M-1')).toBeNull();
    const p = linkParams('?app=3&member=M-1&expires=1900000000&sig=ab12');
    expect(p).toEqual({ app: '3', member: 'M-1', expires: '1900000000', sig: 'ab12' });
    expect(linkQuery(p!, { period: 'day' })).toBe('app=3&member=M-1&expires=1900000000&sig=ab12&period=day');
  });
});

describe('reading the hub', () => {
  it('reads a member summary', () => {
    const s = parseSummary({
      challenge: { id: 7, name: '秋季健步走', start_date: '2026-11-01', end_date: '2026-11-30', daily_cap: 30000, qualify_steps: 6000, milestones: [100000, 500000], team_level: 'county' },
      member_no: 'M-1',
      name: '张三',
      org_name: '一中工会',
      today: '2026-11-29',
      today_steps: 7012,
      total: 120000,
      qualified_days: 12,
      current_streak: 3,
      longest_streak: 5,
      milestones_reached: [100000],
      series: [{ date: '2026-11-28', steps: 40000, counted: 30000 }, { date: '2026-11-29', steps: 7012, counted: 7012 }],
      rank: 42,
      participants: 1000,
    });
    expect(s.challenge.name).toBe('秋季健步走');
    expect(s.challenge.milestones).toEqual([100000, 500000]);
    expect(s.today).toEqual({ date: '2026-11-29', steps: 7012 });
    expect(s.totalSteps).toBe(120000);
    expect(s.qualifyingDays).toBe(12);
    expect(s.rank).toBe(42);
    expect(s.participants).toBe(1000);
    expect(s.days).toEqual([{ date: '2026-11-28', steps: 40000 }, { date: '2026-11-29', steps: 7012 }]);
    expect(parseSummary({ rank: null }).rank).toBeNull();
  });

  it('marks my own row on a board, a member or my organisation', () => {
    const b = parseBoard({ entries: [{ rank: 1, member_no: 'A', name: '甲', score: 9 }, { rank: 2, member_no: 'M-1', name: '我', score: 8 }], size: 2 }, 'M-1');
    expect(b.rows.map((r) => r.me)).toEqual([false, true]);
    expect(b.total).toBe(2);
    const orgs = parseBoard({ me: { org_id: 12 }, entries: [{ rank: 4, org_id: 11, name: 'x', score: 5 }, { rank: 5, org_id: 12, name: 'y', score: 4 }] }, 'M-1');
    expect(orgs.rows.map((r) => r.me)).toEqual([false, true]);
    expect(orgs.rows[1].id).toBe('12');
  });
});

describe('the daily steps chart', () => {
  it('scales to a round number and caps the counted steps', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(7012)).toBe(10000);
    expect(niceCeiling(30000)).toBe(50000);
    const g = chartGeometry(
      [
        { date: '2026-11-28', steps: 45000 },
        { date: '2026-11-29', steps: 3000 },
      ],
      { width: 200, height: 126, cap: 30000, qualify: 6000 },
    );
    expect(g.maxSteps).toBe(50000);
    const plot = 126 - 14 - 18;
    expect(g.bars[0].height).toBe(Math.round((30000 / 50000) * plot)); // capped
    expect(g.bars[0].qualified).toBe(true);
    expect(g.bars[1].qualified).toBe(false);
    expect(g.bars[1].label).toBe('11/29');
    expect(g.qualifyY).toBe(14 + plot - Math.round((6000 / 50000) * plot));
    expect(g.bars[0].x + g.bars[0].width).toBeLessThanOrEqual(g.bars[1].x);
  });
});
