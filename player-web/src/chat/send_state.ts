// The send box's message in flight, and the words for a refused one. The text stays in the box
// until the room echoes it back (then the box is emptied, unless the viewer typed something else
// meanwhile) or the server refuses it (then it stays, so nothing typed is lost, and the viewer
// reads why). One message at a time: the server answers a send with the message or an error.

import { currentLang, hasKey, t } from '../i18n';
import { ChatUser, MAX_TEXT_CODE_POINTS, ServerEvent } from './protocol';

type ErrorEvent = Extract<ServerEvent, { type: 'error' }>;

export type SendOutcome = { kind: 'none' } | { kind: 'sent'; clearBox: boolean } | { kind: 'refused'; notice: string };

const NONE: SendOutcome = { kind: 'none' };

export class SendState {
  private text: string | null = null;
  private mutedUntil = 0; // ms; from the room's `muted` event about this viewer

  constructor(private readonly now: () => number = () => Date.now()) {}

  get busy(): boolean {
    return this.text !== null;
  }

  start(text: string): void {
    this.text = text;
  }

  // No answer is coming (the connection dropped, or too long without one): the text stays.
  cancel(): void {
    this.text = null;
  }

  // What an event from the room means for the send box; `box` is the box's text now.
  onEvent(e: ServerEvent, me: ChatUser | null, replay: boolean, box: string): SendOutcome {
    if (e.type === 'muted' && me && e.user_id === me.id) {
      this.mutedUntil = e.until;
      return NONE;
    }
    if (this.text === null) return NONE;
    if (e.type === 'message' && !replay && me && e.user.id === me.id) {
      const clearBox = box.trim() === this.text;
      this.text = null;
      return { kind: 'sent', clearBox };
    }
    // Errors about a send are the chat.* codes (auth.invalid is the connection's).
    if (e.type === 'error' && e.code.startsWith('chat.')) {
      this.text = null;
      return { kind: 'refused', notice: this.refusalText(e) };
    }
    return NONE;
  }

  // What the `muted` event itself shows the viewer.
  mutedText(until: number): string {
    return t('chat.muted', { until: until > this.now() ? t('mutedUntil', { t: clock(until, this.now()) }) : '' });
  }

  // The words for an error: its own fields say until when, how long and how many (else what the
  // room told us about this viewer's mute).
  refusalText(e: ErrorEvent): string {
    const code = e.code;
    if (code === 'chat.muted') return this.mutedText(e.until ?? this.mutedUntil);
    if (code === 'chat.too_long') return t('chat.too_long', { max: e.limit ?? MAX_TEXT_CODE_POINTS });
    if ((code === 'chat.rate_limited' || code === 'chat.slow_mode') && e.retry_after_ms)
      return t(`${code}.wait`, { s: Math.ceil(e.retry_after_ms / 1000) });
    if (hasKey(code)) return t(code);
    return t('errorGeneric', { code });
  }
}

// A time of day, with the date when it is not within the next day.
function clock(ms: number, now: number): string {
  const locale = currentLang() === 'en' ? 'en-GB' : 'zh-CN';
  const d = new Date(ms);
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return ms - now < 20 * 3600_000 ? time : `${d.toLocaleDateString(locale)} ${time}`;
}
