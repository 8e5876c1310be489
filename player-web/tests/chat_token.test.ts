import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatToken } from '../src/api';

type Call = { url: string; init?: RequestInit };

// A fake fetch answering per URL; records every call.
function fakeFetch(routes: Record<string, (init?: RequestInit) => Response>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const route = routes[url];
    return route ? route(init) : new Response('not found', { status: 404 });
  });
  return calls;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('chat token', () => {
  beforeEach(() => {
    const store = new Map<string, string>();
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('gives a signed-in viewer a member token, sending the session CSRF token', async () => {
    const calls = fakeFetch({
      '/api/v1/auth/me': () => json({ user: { id: 7, username: 'host' }, csrf_token: 'c-123' }),
      '/api/v1/chat/member-token': () => json({ token: 'member-tok', user: { id: 7 } }),
      '/api/v1/chat/token': () => json({ token: 'guest-tok' }),
    });
    expect(await chatToken(true)).toBe('member-tok');
    const post = calls.find((c) => c.url === '/api/v1/chat/member-token');
    expect(post?.init?.method).toBe('POST');
    expect((post?.init?.headers as Record<string, string>)['x-csrf-token']).toBe('c-123');
    expect(calls.some((c) => c.url === '/api/v1/chat/token')).toBe(false);
    // Kept for the tab: the next (non-fresh) call asks nothing.
    expect(await chatToken(false)).toBe('member-tok');
    expect(calls.length).toBe(2);
  });

  it('falls back to a guest token when nobody is signed in', async () => {
    const calls = fakeFetch({
      '/api/v1/auth/me': () => json({ error: { code: 'auth.required' } }, 401),
      '/api/v1/chat/token': () => json({ token: 'guest-tok' }),
    });
    expect(await chatToken(true)).toBe('guest-tok');
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/auth/me', '/api/v1/chat/token']);
  });

  it('chats as a guest when the member token cannot be had', async () => {
    fakeFetch({
      '/api/v1/auth/me': () => json({ csrf_token: 'c' }),
      '/api/v1/chat/member-token': () => json({ error: {} }, 500),
      '/api/v1/chat/token': () => json({ token: 'guest-tok' }),
    });
    expect(await chatToken(true)).toBe('guest-tok');
  });

  it('says why when no token at all can be had', async () => {
    fakeFetch({ '/api/v1/chat/token': () => json({ error: {} }, 429) });
    await expect(chatToken(true)).rejects.toThrow('chat token: HTTP 429');
  });
});
