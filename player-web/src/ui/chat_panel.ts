// The chat side of the watch page: the virtualized message list, a status line (connecting,
// reconnecting, banned, errors in plain words; for guests, that signing in lets them chat), and
// the send box with its code-point counter, which keeps a message until the room took it
// (send_state.ts). Messages also go to the bullet-comment layer.

import { ChatClient, ChatState } from '../chat/chat_client';
import { ChatUser, MAX_TEXT_CODE_POINTS, ServerEvent, codePointLength } from '../chat/protocol';
import { SendState } from '../chat/send_state';
import { t } from '../i18n';
import { h } from './dom';
import { VirtualList } from './virtual_list';

interface Row {
  kind: 'message' | 'notice';
  id: number;
  user?: ChatUser;
  text: string;
  own: boolean;
  deleted: boolean;
}

export interface ChatPanelHooks {
  onMessage(text: string, own: boolean): void;
  onLikes(total: number, delta: number): void;
  onViewers(count: number): void;
}

export class ChatPanel {
  readonly el: HTMLElement;
  private readonly list: VirtualList<Row>;
  private readonly status: HTMLDivElement;
  private readonly input: HTMLInputElement;
  private readonly counter: HTMLSpanElement;
  private readonly sendBtn: HTMLButtonElement;
  private me: ChatUser | null = null;
  private maxText = MAX_TEXT_CODE_POINTS; // the server's own, once its welcome says it
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly sending = new SendState();
  private sendTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: ChatClient,
    private readonly hooks: ChatPanelHooks,
  ) {
    this.list = new VirtualList<Row>(
      {
        text: (r) => (r.user ? r.user.name + '：' : '') + (r.deleted ? t('deleted') : r.text),
        render: (r) => this.renderRow(r),
      },
      { fontPx: 14, linePx: 20, paddingPx: 8 },
      t('newMessages'),
    );
    this.status = h('div.chat-status', { role: 'status' });
    this.input = h('input.chat-input', {
      type: 'text',
      enterKeyHint: 'send',
      placeholder: t('chatPlaceholder'),
      autocomplete: 'off',
      'aria-label': t('chatPlaceholder'),
      oninput: () => this.updateCounter(),
    });
    this.counter = h('span.chat-counter', {}, `0/${MAX_TEXT_CODE_POINTS}`);
    this.sendBtn = h('button.chat-send', { type: 'submit' }, t('send'));
    const form = h(
      'form.chat-form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.send();
        },
      },
      this.input,
      this.counter,
      this.sendBtn,
    );
    this.el = h(
      'section.chat',
      { 'aria-label': t('chat') },
      h('div.chat-list-wrap', {}, this.list.el, this.list.pillEl),
      this.status,
      form,
    );
    client.listen({
      event: (e) => this.onEvent(e),
      state: (s) => this.onState(s),
      gap: () => this.notice(t('chatGap')),
    });
    this.updateCounter();
    this.onState(client.state);
  }

  // After the panel is in the document (and when layout changes).
  measure(): void {
    this.list.measure();
  }

  private renderRow(r: Row): HTMLElement {
    if (r.kind === 'notice') return h('div.msg.msg-notice', {}, r.text);
    const role = r.user?.role ?? 'guest';
    if (role === 'system') return h('div.msg.msg-system', { dataset: { id: String(r.id) } }, r.text);
    return h(
      `div.msg${r.own ? '.msg-own' : ''}${r.deleted ? '.msg-deleted' : ''}`,
      { dataset: { id: String(r.id) } },
      h(`span.msg-name.role-${role}`, {}, (r.user?.name ?? '') + '：'),
      h('span.msg-text', {}, r.deleted ? t('deleted') : r.text),
    );
  }

  private onEvent(e: ServerEvent): void {
    const replay = e.type === 'message' && this.client.isReplay(e.id);
    const outcome = this.sending.onEvent(e, this.me, replay, this.input.value);
    if (outcome.kind !== 'none') this.settle();
    if (outcome.kind === 'sent' && outcome.clearBox) this.input.value = '';
    if (outcome.kind !== 'none') this.updateCounter();
    switch (e.type) {
      case 'welcome':
        this.me = e.user;
        if (e.limits && e.limits.max_text > 0) this.maxText = e.limits.max_text;
        this.updateCounter();
        this.onState(this.client.state);
        break;
      case 'message': {
        const own = !!this.me && e.user.id === this.me.id && this.me.role !== 'guest';
        this.list.push({ kind: 'message', id: e.id, user: e.user, text: e.text, own, deleted: false });
        if (!replay) this.hooks.onMessage(e.text, own);
        break;
      }
      case 'deleted':
        this.list.update(
          (r) => r.kind === 'message' && r.id === e.id,
          (r) => ({ ...r, deleted: true }),
        );
        break;
      case 'likes':
        this.hooks.onLikes(e.total, e.delta);
        break;
      case 'viewers':
        this.hooks.onViewers(e.count);
        break;
      case 'muted':
        if (this.me && e.user_id === this.me.id) this.notice(this.sending.mutedText(e.until), true);
        break;
      case 'error':
        this.notice(outcome.kind === 'refused' ? outcome.notice : this.sending.refusalText(e), true);
        break;
      default:
        break;
    }
  }

  private onState(s: ChatState): void {
    const guest = s === 'joined' && this.me?.role === 'guest';
    const text =
      s === 'connecting'
        ? t('chatConnecting')
        : s === 'reconnecting'
          ? t('chatReconnecting')
          : s === 'banned'
            ? t('chatBanned')
            : guest
              ? t('guestHint')
              : '';
    this.status.textContent = text;
    this.status.className = 'chat-status' + (s === 'banned' ? ' chat-status-error' : '');
    const disabled = s === 'banned';
    this.input.disabled = disabled;
    // No answer comes for a send the connection lost: the text stays in the box.
    if (s !== 'joined' && this.sending.busy) this.settle();
    this.updateCounter();
  }

  // A short-lived line in the status bar (errors stay longer).
  private notice(text: string, error = false): void {
    this.status.textContent = text;
    this.status.className = 'chat-status' + (error ? ' chat-status-error' : '');
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.onState(this.client.state), error ? 6000 : 4000);
  }

  private updateCounter(): void {
    const n = codePointLength(this.input.value);
    this.counter.textContent = `${n}/${this.maxText}`;
    const over = n > this.maxText;
    this.counter.classList.toggle('over', over);
    this.sendBtn.disabled = over || this.input.value.trim() === '' || this.client.state === 'banned' || this.sending.busy;
  }

  private send(): void {
    const text = this.input.value.trim();
    if (!text || codePointLength(text) > this.maxText || this.sending.busy) return;
    if (!this.client.send(text)) {
      this.notice(t('notJoined'), true);
      return;
    }
    this.sending.start(text);
    // The room answers within milliseconds; a send left unanswered this long frees the box.
    this.sendTimer = setTimeout(() => {
      this.settle();
      this.updateCounter();
    }, 10_000);
    this.updateCounter();
    this.list.toBottom();
  }

  private settle(): void {
    this.sending.cancel();
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = null;
  }
}
