import { describe, expect, it } from 'vitest';
import { ChatClient, ChatState } from '../src/chat/chat_client';
import type { ServerEvent } from '../src/chat/protocol';
import { codePointLength, parseFrame } from '../src/chat/protocol';
import { backoffDelay } from '../src/chat/backoff';
import { FakeSocket, ManualTimers } from './fake_socket';

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(random = () => 0.5) {
  const sockets: FakeSocket[] = [];
  const timers = new ManualTimers();
  const tokens: boolean[] = [];
  const client = new ChatClient({
    url: 'ws://hub.test/ws',
    room: 'gala',
    getToken: async (fresh) => {
      tokens.push(fresh);
      return fresh ? 'fresh-token' : 'token-1';
    },
    socketFactory: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers,
    random,
    backoff: { baseMs: 1000, maxMs: 8000 },
    pingIntervalMs: 25000,
  });
  const events: ServerEvent[] = [];
  const states: ChatState[] = [];
  let gaps = 0;
  client.listen({ event: (e) => events.push(e), state: (s) => states.push(s), gap: () => gaps++ });
  return { client, sockets, timers, events, states, tokens, gaps: () => gaps };
}

async function joinFresh(t: ReturnType<typeof setup>, lastId = 0) {
  t.client.connect();
  await flush();
  const s = t.sockets[t.sockets.length - 1];
  s.open();
  s.push({ type: 'welcome', user: { id: 7, name: 'guest-7', role: 'guest' } });
  s.push({ type: 'joined', room: 'gala', last_id: lastId, recovered: true });
  return s;
}

describe('chat client protocol', () => {
  it('sends hello with the token first, then joins the room without since (the server sends recent history)', async () => {
    const t = setup();
    const s = await joinFresh(t);
    expect(s.url).toBe('ws://hub.test/ws');
    expect(s.sent[0]).toEqual({ op: 'hello', token: 'token-1' });
    expect(s.sent[1]).toEqual({ op: 'join', room: 'gala' });
    expect(t.client.state).toBe('joined');
  });

  it('tells history from live messages: up to the last id at join they are replayed', async () => {
    const t = setup();
    const s = await joinFresh(t, 3);
    for (const id of [1, 2, 3, 4])
      s.push({ type: 'message', room: 'gala', id, user: { id: 2, name: 'b', role: 'user' }, text: 't' + id, ts: id });
    expect([1, 2, 3, 4].map((id) => t.client.isReplay(id))).toEqual([true, true, true, false]);
    expect(t.events.filter((e) => e.type === 'message')).toHaveLength(4);
    expect(t.gaps()).toBe(0); // a first join never reports a gap, even when history was trimmed
  });

  it('sends chat text and likes only once joined', async () => {
    const t = setup();
    t.client.connect();
    await flush();
    expect(t.client.send('too early')).toBe(false);
    const s = t.sockets[0];
    s.open();
    s.push({ type: 'welcome', user: { id: 1, name: 'a', role: 'user' } });
    s.push({ type: 'joined', room: 'gala', last_id: 0, recovered: true });
    expect(t.client.send('你好')).toBe(true);
    expect(t.client.like(3)).toBe(true);
    expect(s.sent.slice(2)).toEqual([
      { op: 'send', room: 'gala', text: '你好' },
      { op: 'like', room: 'gala', count: 3 },
    ]);
  });

  it('reads packed frames (a JSON array of events) and ignores garbage', async () => {
    const t = setup();
    const s = await joinFresh(t);
    s.pushRaw(
      JSON.stringify([
        { type: 'message', room: 'gala', id: 1, user: { id: 2, name: 'b', role: 'user' }, text: 'x', ts: 1 },
        { type: 'likes', room: 'gala', total: 10, delta: 10 },
      ]),
    );
    s.pushRaw('not json');
    s.pushRaw('[1, null, {"no":"type"}]');
    const types = t.events.map((e) => e.type);
    expect(types).toEqual(['welcome', 'joined', 'message', 'likes']);
    expect(t.client.lastId).toBe(1);
  });

  it('pings while joined', async () => {
    const t = setup();
    const s = await joinFresh(t);
    t.timers.advance(25000);
    expect(s.sent[s.sent.length - 1]).toEqual({ op: 'ping' });
  });
});

describe('chat client reconnect and resume', () => {
  it('reconnects after a drop and resumes with since = last message id, without duplicates', async () => {
    const t = setup();
    const s1 = await joinFresh(t);
    for (const id of [41, 42])
      s1.push({ type: 'message', room: 'gala', id, user: { id: 2, name: 'b', role: 'user' }, text: 't' + id, ts: id });
    s1.drop(1006);
    expect(t.client.state).toBe('reconnecting');
    expect(t.timers.waiting()).toEqual([750]); // base 1000, equal jitter with random 0.5
    t.timers.advance(750);
    await flush();
    const s2 = t.sockets[1];
    s2.open();
    s2.push({ type: 'welcome', user: { id: 7, name: 'guest-7', role: 'guest' } });
    expect(s2.sent[1]).toEqual({ op: 'join', room: 'gala', since: 42 });
    s2.push({ type: 'joined', room: 'gala', last_id: 44, recovered: true });
    // The server replays what we missed; a message we already had is not shown again.
    for (const id of [42, 43, 44])
      s2.push({ type: 'message', room: 'gala', id, user: { id: 2, name: 'b', role: 'user' }, text: 't' + id, ts: id });
    const ids = t.events.filter((e) => e.type === 'message').map((e) => (e as { id: number }).id);
    expect(ids).toEqual([41, 42, 43, 44]);
    expect(t.gaps()).toBe(0);
  });

  it('reports a gap when the history no longer reaches back to since', async () => {
    const t = setup();
    const s1 = await joinFresh(t);
    s1.push({ type: 'message', room: 'gala', id: 5, user: { id: 2, name: 'b', role: 'user' }, text: 'x', ts: 1 });
    s1.drop(1006);
    t.timers.advance(1000);
    await flush();
    const s2 = t.sockets[1];
    s2.open();
    s2.push({ type: 'welcome', user: { id: 7, name: 'g', role: 'guest' } });
    s2.push({ type: 'joined', room: 'gala', last_id: 900, recovered: false });
    expect(t.gaps()).toBe(1);
  });

  it('backs off exponentially up to the maximum, with jitter between half and all of it', async () => {
    for (const [attempt, lo, hi] of [
      [0, 500, 1000],
      [1, 1000, 2000],
      [2, 2000, 4000],
      [3, 4000, 8000],
      [9, 4000, 8000],
    ]) {
      expect(backoffDelay(attempt, () => 0, { baseMs: 1000, maxMs: 8000 })).toBe(lo);
      expect(backoffDelay(attempt, () => 0.999999, { baseMs: 1000, maxMs: 8000 })).toBe(hi);
    }
    const t = setup(() => 0);
    t.client.connect();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.sockets[t.sockets.length - 1].drop(1006);
      delays.push(t.timers.waiting()[0]);
      t.timers.advance(delays[i]);
      await flush();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  it('does not reconnect after close 4003 (banned)', async () => {
    const t = setup();
    const s = await joinFresh(t);
    s.drop(4003);
    expect(t.client.state).toBe('banned');
    expect(t.timers.waiting()).toEqual([]);
    t.client.connect();
    await flush();
    expect(t.sockets.length).toBe(1);
    expect(t.states).toContain('banned');
  });

  it('reconnects after a slow-consumer close (4008) and fetches a new token after auth.invalid', async () => {
    const t = setup();
    const s = await joinFresh(t);
    s.push({ type: 'error', code: 'auth.invalid', message: 'token expired' });
    s.drop(4008);
    t.timers.advance(1000);
    await flush();
    expect(t.sockets.length).toBe(2);
    t.sockets[1].open();
    expect(t.sockets[1].sent[0]).toEqual({ op: 'hello', token: 'fresh-token' });
    expect(t.tokens).toEqual([false, true]);
  });

  it('starts over with a fresh token when the hello is refused (auth.invalid)', async () => {
    const t = setup();
    t.client.connect();
    await flush();
    const s = t.sockets[0];
    s.open();
    s.push({ type: 'error', code: 'auth.invalid', message: 'token expired' });
    expect(s.closedWith).toBe(1000);
    expect(t.client.state).toBe('reconnecting');
    t.timers.advance(1000);
    await flush();
    t.sockets[1].open();
    expect(t.sockets[1].sent[0]).toEqual({ op: 'hello', token: 'fresh-token' });
  });

  it('stays closed after close()', async () => {
    const t = setup();
    const s = await joinFresh(t);
    t.client.close();
    expect(s.closedWith).toBe(1000);
    expect(t.client.state).toBe('closed');
    expect(t.timers.waiting()).toEqual([]);
  });
});

describe('protocol helpers', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('你好')).toBe(2);
    expect(codePointLength('😀😀')).toBe(2);
  });
  it('parses a single event', () => {
    expect(parseFrame('{"type":"pong"}')).toEqual([{ type: 'pong' }]);
  });
});
