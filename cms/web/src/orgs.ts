// The organisations a user may put content in: the subtrees of their editor (or admin) grants,
// two levels deep, as options for a select; names cached for the session.

import { get } from './api';
import { Grant } from './roles';

export interface OrgOption {
  id: number;
  name: string;
  depth: number;
}

interface Org {
  id: number;
  name: string;
  parent_id?: number | null;
}

export async function editableOrgs(grants: Grant[]): Promise<OrgOption[]> {
  const roots = [...new Set(grants.filter((g) => g.role === 'editor' || g.role === 'admin').map((g) => g.orgId))];
  const out: OrgOption[] = [];
  const seen = new Set<number>();
  for (const root of roots) {
    const tops = root === 0 ? ((await get<{ items: Org[] }>('/api/v1/orgs')).items ?? []) : [await get<Org>(`/api/v1/orgs/${root}`)];
    for (const top of tops) {
      const sub = (await get<{ items: Org[] }>(`/api/v1/orgs/${top.id}/subtree?depth=2`)).items ?? [];
      const depthOf = new Map<number, number>([[top.id, 0]]);
      for (const o of [top, ...sub]) {
        if (seen.has(o.id)) continue;
        seen.add(o.id);
        const d = o.id === top.id ? 0 : (depthOf.get(o.parent_id ?? -1) ?? 0) + 1;
        depthOf.set(o.id, d);
        out.push({ id: o.id, name: o.name, depth: d });
      }
    }
  }
  return out;
}

// Code points, as the hub counts characters against the platforms' limits.
export function charCount(s: string): number {
  return Array.from(s).length;
}
