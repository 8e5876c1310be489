import { describe, expect, it } from 'vitest';
import type { ChatUser, ServerEvent } from '../src/chat/protocol';
import { SendState } from '../src/chat/send_state';

const me: ChatUser = { id: 7, name: 'alice', role: 'user' };
const other: ChatUser = { id: 8, name: 'bob', role: 'user' };
const msg = (user: ChatUser, text: string): ServerEvent => ({ type: 'message', room: 'gala', id: 1, user, text, ts: 0 });
const err = (code: string, message = '', fields: Record<string, string | number> = {}): ServerEvent => ({
  type: 'error',
  code,
  message,
  ...fields,
});
const NOW = Date.UTC(2026, 10, 30, 4, 0, 0);

describe('SendState', () => {
  it('empties the box when the room echoes the message, not on anybody else’s', () => {
    const s = new SendState(() => NOW);
    s.start('hello');
    expect(s.busy).toBe(true);
    expect(s.onEvent(msg(other, 'hello'), me, false, 'hello')).toEqual({ kind: 'none' });
    expect(s.onEvent(msg(me, 'hello'), me, true, 'hello')).toEqual({ kind: 'none' }); // history, not the echo
    expect(s.onEvent(msg(me, 'hello'), me, false, 'hello ')).toEqual({ kind: 'sent', clearBox: true });
    expect(s.busy).toBe(false);
  });

  it('keeps what the viewer typed after sending', () => {
    const s = new SendState(() => NOW);
    s.start('hello');
    expect(s.onEvent(msg(me, 'hello'), me, false, 'hello and more')).toEqual({ kind: 'sent', clearBox: false });
  });

  it('leaves a refused text in the box and says why in plain words', () => {
    const cases: [string, Record<string, number>, string][] = [
      ['chat.rate_limited', { retry_after_ms: 2100 }, '发言太快了，请 3 秒后再试'],
      ['chat.rate_limited', {}, '发言太快了，请稍后再试'],
      ['chat.filtered', {}, '消息包含敏感词，未能发送'],
      ['chat.too_long', { limit: 20 }, '消息太长了，最多 20 个字'],
      ['chat.too_long', {}, '消息太长了，最多 200 个字'],
      ['chat.slow_mode', { retry_after_ms: 4000 }, '慢速模式中，请 4 秒后再发'],
      ['chat.duplicate', { retry_after_ms: 12000 }, '请不要重复发送相同的内容'],
      ['chat.something_new', {}, '发送失败：chat.something_new'],
    ];
    for (const [code, fields, notice] of cases) {
      const s = new SendState(() => NOW);
      s.start('hello');
      expect(s.onEvent(err(code, 'the server says', { room: 'gala', ...fields }), me, false, 'hello')).toEqual({
        kind: 'refused',
        notice,
      });
      expect(s.busy).toBe(false);
    }
  });

  it('says until when the viewer is muted: from the error, else from the room’s muted event', () => {
    const until = NOW + 10 * 60_000;
    const hhmm = new Date(until).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
    const s = new SendState(() => NOW);
    s.start('hello');
    expect(s.onEvent(err('chat.muted', 'muted', { room: 'gala', until }), me, false, 'hello')).toEqual({
      kind: 'refused',
      notice: `你已被禁言，到 ${hhmm}`,
    });
    expect(s.onEvent({ type: 'muted', room: 'gala', user_id: me.id, until }, me, false, '')).toEqual({ kind: 'none' });
    s.start('again');
    expect(s.onEvent(err('chat.muted'), me, false, 'again')).toEqual({ kind: 'refused', notice: `你已被禁言，到 ${hhmm}` });
    // Someone else's mute is not ours; a mute that ran out is not shown with a time.
    const t = new SendState(() => NOW);
    t.onEvent({ type: 'muted', room: 'gala', user_id: other.id, until }, me, false, '');
    t.start('x');
    expect(t.onEvent(err('chat.muted'), me, false, 'x')).toEqual({ kind: 'refused', notice: '你已被禁言' });
    expect(t.mutedText(NOW - 1)).toBe('你已被禁言');
  });

  it('shows a mute of more than a day with its date', () => {
    const until = NOW + 3 * 86_400_000;
    expect(new SendState(() => NOW).mutedText(until)).toContain(new Date(until).toLocaleDateString('zh-CN'));
  });

  it('ignores errors that are not a send’s answer, and everything when nothing is in flight', () => {
    const s = new SendState(() => NOW);
    expect(s.onEvent(err('chat.rate_limited'), me, false, '')).toEqual({ kind: 'none' });
    s.start('hello');
    expect(s.onEvent(err('auth.invalid'), me, false, 'hello')).toEqual({ kind: 'none' });
    expect(s.busy).toBe(true);
    s.cancel();
    expect(s.busy).toBe(false);
  });
});
