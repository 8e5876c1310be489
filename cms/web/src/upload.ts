// Chunked, resumable uploads into the media library: POST /api/v1/media/uploads {org_id, name,
// size}, then PUT chunks with Content-Range from the hub's offset, then complete. A failed chunk
// is retried after asking the hub where it stands (GET .../uploads/{id}: offset), so a dropped
// connection loses at most one chunk; progress is reported after every chunk.

import { ApiError, api } from './api';

export const CHUNK_BYTES = 512 * 1024;

export interface Uploadable {
  name: string;
  size: number;
  slice(start: number, end: number): Blob;
}

export interface UploadHooks {
  onProgress?: (fraction: number) => void;
  // Sends one chunk; returns the hub's new offset. Replaceable in tests.
  sendChunk?: (id: number, chunk: Blob, first: number, size: number) => Promise<number>;
  offsetOf?: (id: number) => Promise<number>;
  retries?: number;
}

async function defaultSend(id: number, chunk: Blob, first: number, size: number): Promise<number> {
  const last = first + chunk.size - 1;
  const r = await api<{ offset: number }>('PUT', `/api/v1/media/uploads/${id}`, undefined, {
    raw: { text: chunk, type: 'application/octet-stream' },
    headers: { 'content-range': `bytes ${first}-${last}/${size}` },
  });
  return r.offset;
}

async function defaultOffset(id: number): Promise<number> {
  return (await api<{ offset: number }>('GET', `/api/v1/media/uploads/${id}`)).offset;
}

// Sends `file` from `offset` to the end; returns when the hub has every byte.
export async function sendFrom(id: number, file: Uploadable, offset: number, hooks: UploadHooks = {}): Promise<void> {
  const send = hooks.sendChunk ?? defaultSend;
  const where = hooks.offsetOf ?? defaultOffset;
  let failures = 0;
  while (offset < file.size) {
    const end = Math.min(file.size, offset + CHUNK_BYTES);
    try {
      offset = await send(id, file.slice(offset, end), offset, file.size);
      failures = 0;
    } catch (e) {
      // A refusal (wrong type, too big) will not get better; a network error or a lost reply
      // may have landed or not: ask the hub.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 409) throw e;
      if (++failures > (hooks.retries ?? 5)) throw e;
      offset = await where(id);
    }
    hooks.onProgress?.(file.size ? offset / file.size : 1);
  }
}

export interface MediaItem {
  id: number;
  name: string;
  kind: string;
  mime: string;
  size: number;
  state: string;
}

export async function upload(orgId: number, file: Uploadable, hooks: UploadHooks = {}): Promise<MediaItem> {
  const started = await api<{ id: number; offset: number }>('POST', '/api/v1/media/uploads', { org_id: orgId, name: file.name, size: file.size });
  await sendFrom(started.id, file, started.offset ?? 0, hooks);
  return api<MediaItem>('POST', `/api/v1/media/uploads/${started.id}/complete`, {});
}
