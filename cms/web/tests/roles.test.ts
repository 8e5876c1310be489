import { describe, expect, it } from 'vitest';
import { allPages, errorFrom, query } from '../src/api';
import { grantOrgs, navFor, parseGrants } from '../src/roles';
import { dayRange } from '../src/time';

describe('navigation by role', () => {
  const paths = (g: ReturnType<typeof parseGrants>) => navFor(g).map((n) => n.path);

  it('shows an editor nothing of admin and no review queue', () => {
    expect(paths(parseGrants([{ role: 'editor', org_id: 12 }]))).toEqual(['/', '/content', '/calendar', '/accounts', '/challenges', '/live', '/analytics']);
  });
  it('gives a reviewer the review queue', () => {
    expect(paths(parseGrants([{ role: 'reviewer', org_id: 12 }]))).toEqual(['/', '/content', '/calendar', '/review', '/analytics']);
  });
  it('gives a host or moderator the dashboard and the live control rooms', () => {
    expect(paths(parseGrants([{ role: 'host', org_id: 12 }]))).toEqual(['/', '/live']);
  });
  it('shows the audit log only to admins of the whole tree', () => {
    expect(paths(parseGrants([{ role: 'admin', org_id: 0 }]))).toEqual(['/', '/content', '/calendar', '/review', '/accounts', '/challenges', '/live', '/analytics', '/admin/users', '/admin/orgs', '/admin/audit']);
    expect(paths(parseGrants([{ role: 'admin', org_id: 5 }]))).toEqual(['/', '/content', '/calendar', '/review', '/accounts', '/challenges', '/live', '/analytics', '/admin/users', '/admin/orgs']);
  });
  it('ignores grants it does not understand', () => {
    expect(parseGrants([{ role: 'owner', org_id: 1 }, { role: 'editor' }, null])).toEqual([]);
  });
  it('lists each organisation of the grants once', () => {
    expect(grantOrgs(parseGrants([{ role: 'editor', org_id: 7 }, { role: 'reviewer', org_id: 7 }, { role: 'host', org_id: 3 }]))).toEqual([3, 7]);
  });
});

describe('talking to the hub', () => {
  it('reads the error body, with per-field messages', () => {
    const e = errorFrom(422, { error: { code: 'validation', message: 'bad', fields: { title: 'required' } } });
    expect(e.code).toBe('validation');
    expect(e.fields).toEqual({ title: 'required' });
    expect(errorFrom(502, 'not json').code).toBe('http.502');
  });
  it('writes only the defined query parameters', () => {
    expect(query({ a: 1, b: undefined, c: '', d: 'x y' })).toBe('?a=1&d=x+y');
    expect(query({})).toBe('');
  });
  it('gives a Shanghai day as a range with +08:00', () => {
    expect(dayRange('2026-11-29')).toEqual({ from: '2026-11-29T00:00:00+08:00', to: '2026-11-30T00:00:00+08:00' });
    expect(dayRange('2026-11-30', 2).to).toBe('2026-12-02T00:00:00+08:00');
  });
});

describe('paged lists', () => {
  it('follows next_after and next_cursor until the last page', async () => {
    const asked: string[] = [];
    const pages: Record<string, unknown> = {
      '/x?limit=2': { items: [1, 2], next_after: 2 },
      '/x?limit=2&after=2': { items: [3, 4], next_cursor: 'c' },
      '/x?limit=2&cursor=c': { items: [5] },
    };
    const real = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(pages[url]), { status: 200 });
    }) as typeof fetch;
    try {
      expect(await allPages<number>('/x', { limit: 2 })).toEqual([1, 2, 3, 4, 5]);
    } finally {
      globalThis.fetch = real;
    }
    expect(asked).toHaveLength(3);
  });
});
