import { describe, expect, it } from 'vitest';
import { addDays, clock, dayOf, monthGrid, moveToDay, postsByDay, viewRange, weekDays, weekday } from '../src/calendar';

describe('calendar days in Shanghai', () => {
  it('starts weeks on Monday', () => {
    expect(weekday('2026-11-29')).toBe(7); // a Sunday
    expect(weekday('2026-11-30')).toBe(1);
    expect(weekDays('2026-11-29')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
  });
  it('crosses months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('covers a month with whole weeks', () => {
    const g = monthGrid('2026-11-15');
    expect(g[0]).toBe('2026-10-26');
    expect(g.length % 7).toBe(0);
    expect(g).toContain('2026-11-30');
    expect(g[g.length - 1]).toBe('2026-12-06');
    const feb = monthGrid('2027-02-10'); // Feb 2027 starts on a Monday: exactly 4 weeks
    expect(feb[0]).toBe('2027-02-01');
    expect(feb.length).toBe(28);
  });
  it('gives the API range of a view', () => {
    expect(viewRange('week', '2026-11-29')).toMatchObject({ from: '2026-11-23T00:00:00+08:00', to: '2026-11-30T00:00:00+08:00' });
  });
  it('reads and moves times in China time whatever the input offset', () => {
    expect(dayOf('2026-11-29T17:30:00Z')).toBe('2026-11-30'); // 01:30 the next day in Shanghai
    expect(clock('2026-11-29T17:30:00Z')).toBe('01:30');
    expect(moveToDay('2026-11-29T09:15:00+08:00', '2026-12-02')).toBe('2026-12-02T09:15:00+08:00');
    expect(moveToDay('2026-11-29T17:30:00Z', '2026-12-02')).toBe('2026-12-02T01:30:00+08:00');
  });
  it('groups posts by Shanghai day in time order', () => {
    const m = postsByDay([
      { id: 3, at: '2026-11-30T10:00:00+08:00' },
      { id: 1, at: '2026-11-29T17:30:00Z' }, // 01:30 on the 30th in Shanghai
      { id: 2, at: '2026-11-30T10:00:00+08:00' },
      { id: 4, at: '2026-11-29T09:00:00+08:00' },
    ]);
    expect(Object.keys(m).sort()).toEqual(['2026-11-29', '2026-11-30']);
    expect(m['2026-11-30'].map((p) => p.id)).toEqual([1, 2, 3]);
    expect(m['2026-11-29'].map((p) => p.id)).toEqual([4]);
  });
});
