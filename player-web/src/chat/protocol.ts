// The chat protocol as the player sees it (docs/chat-protocol.md): server events and client
// commands over JSON text frames at /ws. A frame holds one event object or, packed, a JSON
// array of them; both are read here.

export interface ChatUser {
  id: number;
  name: string;
  role: string; // "guest" | "user" | "moderator" | "admin" | "system"
}

export type ServerEvent =
  | { type: 'welcome'; user: ChatUser; limits?: ChatLimits }
  | { type: 'joined'; room: string; last_id: number; recovered: boolean }
  | { type: 'message'; room: string; id: number; user: ChatUser; text: string; ts: number }
  | { type: 'likes'; room: string; total: number; delta: number }
  | { type: 'viewers'; room: string; count: number }
  | { type: 'deleted'; room: string; id: number }
  | { type: 'muted'; room: string; user_id: number; until: number }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string; room?: string; until?: number; limit?: number; retry_after_ms?: number };

// What the server allows one connection (`welcome.limits`).
export interface ChatLimits {
  max_text: number; // code points per message
  likes_per_second: number;
  rooms: number;
}

export type ClientCommand =
  | { op: 'hello'; token: string }
  | { op: 'join'; room: string; since?: number }
  | { op: 'leave'; room: string }
  | { op: 'send'; room: string; text: string }
  | { op: 'like'; room: string; count: number }
  | { op: 'ping' };

// Close codes with a meaning for the client.
export const CLOSE_NO_HELLO = 4001;
export const CLOSE_BANNED = 4003;
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_TOO_MANY = 4029;

// The longest message, in Unicode code points, until the server's welcome says its own.
export const MAX_TEXT_CODE_POINTS = 200;

export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// Parses one text frame into events. Unknown or malformed entries are dropped, never thrown:
// a newer server may send event types this player does not know yet.
export function parseFrame(data: string): ServerEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return [];
  }
  const items = Array.isArray(value) ? value : [value];
  const out: ServerEvent[] = [];
  for (const item of items) {
    if (item && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string')
      out.push(item as ServerEvent);
  }
  return out;
}
