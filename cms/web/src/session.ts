// The signed-in user: loaded from GET /api/v1/auth/me at start, set by sign-in, cleared by sign-out
// or when the hub says the session ended (401). The organisation the user works in now (the
// switcher) is kept per browser.

import { reactive } from 'vue';
import { ApiError, api, setCsrf } from './api';
import { Grant, grantOrgs, parseGrants } from './roles';

export interface User {
  id: number;
  username: string;
  displayName: string;
  grants: Grant[];
}

export const session = reactive({
  user: null as User | null,
  orgId: 0,
  loaded: false,
});

const ORG_KEY = 'hub.studio.org';

function readUser(v: unknown): User {
  const u = (v ?? {}) as Record<string, unknown>;
  return {
    id: Number(u.id ?? 0),
    username: String(u.username ?? ''),
    displayName: String(u.display_name ?? u.username ?? ''),
    grants: parseGrants(u.grants),
  };
}

function adopt(body: Record<string, unknown>): void {
  session.user = readUser(body.user);
  setCsrf(typeof body.csrf_token === 'string' ? body.csrf_token : '');
  const orgs = grantOrgs(session.user.grants);
  let saved = NaN;
  try {
    saved = Number(localStorage.getItem(ORG_KEY));
  } catch {
    /* ignore */
  }
  session.orgId = orgs.includes(saved) ? saved : (orgs[0] ?? 0);
}

export async function loadSession(): Promise<void> {
  try {
    adopt(await api('GET', '/api/v1/auth/me', undefined, { quiet401: true }));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    session.user = null;
  } finally {
    session.loaded = true;
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  adopt(await api('POST', '/api/v1/auth/login', { username, password }, { quiet401: true }));
}

export async function signOut(): Promise<void> {
  try {
    await api('POST', '/api/v1/auth/logout', {}, { quiet401: true });
  } finally {
    forget();
  }
}

export function forget(): void {
  session.user = null;
  setCsrf('');
}

export function switchOrg(orgId: number): void {
  session.orgId = orgId;
  try {
    localStorage.setItem(ORG_KEY, String(orgId));
  } catch {
    /* ignore */
  }
}
