// Who may see what: the signed-in user's grants (a role on an organisation's subtree; org 0 is the
// whole tree) and the navigation they give. An admin sees everything; nobody sees a page no role
// of theirs can use (an editor sees nothing of admin).

export type Role = 'admin' | 'editor' | 'reviewer' | 'host' | 'moderator';

export interface Grant {
  role: Role;
  orgId: number;
}

export interface NavItem {
  path: string;
  label: string; // an i18n key
  roles: Role[]; // any of them shows the item; admin always does
  wholeTree?: boolean; // only for grants on the whole tree (org 0), like the audit log
}

export const NAV: NavItem[] = [
  { path: '/', label: 'navDashboard', roles: ['editor', 'reviewer', 'host', 'moderator'] },
  { path: '/content', label: 'navContent', roles: ['editor', 'reviewer'] },
  { path: '/calendar', label: 'navCalendar', roles: ['editor', 'reviewer'] },
  { path: '/review', label: 'navReview', roles: ['reviewer'] },
  { path: '/accounts', label: 'navAccounts', roles: ['editor'] },
  { path: '/challenges', label: 'navChallenges', roles: ['editor'] },
  { path: '/live', label: 'navLive', roles: ['editor', 'host', 'moderator'] },
  { path: '/analytics', label: 'navAnalytics', roles: ['editor', 'reviewer'] },
  { path: '/admin/users', label: 'navUsers', roles: [] },
  { path: '/admin/orgs', label: 'navOrgs', roles: [] },
  { path: '/admin/audit', label: 'navAudit', roles: [], wholeTree: true },
];

export function hasRole(grants: Grant[], roles: Role[], orgId?: number): boolean {
  return grants.some((g) => (g.role === 'admin' || roles.includes(g.role)) && (orgId === undefined || g.orgId === 0 || g.orgId === orgId));
}

export function mayOpen(grants: Grant[], item: NavItem): boolean {
  if (item.wholeTree) return grants.some((g) => g.orgId === 0 && (g.role === 'admin' || item.roles.includes(g.role)));
  return hasRole(grants, item.roles);
}

export function navFor(grants: Grant[]): NavItem[] {
  return NAV.filter((item) => mayOpen(grants, item));
}

// The organisations someone works in, for the switcher: one entry per distinct org of a grant,
// the whole tree (0) first.
export function grantOrgs(grants: Grant[]): number[] {
  return [...new Set(grants.map((g) => g.orgId))].sort((a, b) => a - b);
}

export function parseGrants(v: unknown): Grant[] {
  if (!Array.isArray(v)) return [];
  const roles: Role[] = ['admin', 'editor', 'reviewer', 'host', 'moderator'];
  return v
    .map((g) => (g ?? {}) as { role?: unknown; org_id?: unknown })
    .filter((g) => typeof g.role === 'string' && roles.includes(g.role as Role) && typeof g.org_id === 'number')
    .map((g) => ({ role: g.role as Role, orgId: g.org_id as number }));
}
