// The studio's one way to the hub's API: JSON in and out, the session cookie, the CSRF token on
// every mutation, errors as ApiError (the hub's {"error":{code,message,fields}}), and a 401 turned
// into "the session ended" so the shell can send the user to sign in again.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message || code);
  }
}

type Json = Record<string, unknown>;

let csrfToken = '';
let onUnauthenticated: (code: string) => void = () => {};

export function setCsrf(token: string): void {
  csrfToken = token;
}

export function onSessionEnded(fn: (code: string) => void): void {
  onUnauthenticated = fn;
}

// Reads the hub's error body; a body that is not JSON still gives a code from the status.
export function errorFrom(status: number, body: unknown): ApiError {
  const err = (body && typeof body === 'object' ? (body as Json).error : null) as Json | null;
  const code = err && typeof err.code === 'string' ? err.code : `http.${status}`;
  const message = err && typeof err.message === 'string' ? err.message : '';
  const fields: Record<string, string> = {};
  if (err && err.fields && typeof err.fields === 'object')
    for (const [k, v] of Object.entries(err.fields as Json)) fields[k] = String(v);
  return new ApiError(status, code, message, fields);
}

// `opts.raw` sends text or bytes as they are (a CSV, a media chunk) instead of `body` as JSON.
export async function api<T = Json>(
  method: string,
  path: string,
  body?: unknown,
  opts: { quiet401?: boolean; raw?: { text: string | Blob; type: string }; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.raw) headers['content-type'] = opts.raw.type;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let r: Response;
  try {
    const payload = opts.raw ? opts.raw.text : body === undefined ? undefined : JSON.stringify(body);
    r = await fetch(path, { method, headers, credentials: 'same-origin', body: payload });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  const text = await r.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!r.ok) {
    const e = errorFrom(r.status, parsed);
    if (r.status === 401 && !opts.quiet401) onUnauthenticated(e.code);
    throw e;
  }
  return parsed as T;
}

export const get = <T = Json>(path: string) => api<T>('GET', path);
export const post = <T = Json>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

// "?a=1&b=x" from the defined values only.
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// What to tell the user about a failure: the hub's message, else its code.
export function failureText(e: unknown): string {
  return e instanceof ApiError ? e.message || e.code : String(e);
}

// Every page of a paged list: `path` + `params` with the previous page's `next_after` (as
// `after`) or `next_cursor` (as `cursor`), until the hub gives no next page.
export async function allPages<T>(path: string, params: Record<string, string | number | undefined | null>): Promise<T[]> {
  const all: T[] = [];
  let next: Record<string, string | number> = {};
  for (;;) {
    const r = await get<{ items?: T[]; next_after?: number | null; next_cursor?: string | null }>(`${path}${query({ ...params, ...next })}`);
    all.push(...(r.items ?? []));
    if (r.next_after) next = { after: r.next_after };
    else if (r.next_cursor) next = { cursor: r.next_cursor };
    else return all;
  }
}
