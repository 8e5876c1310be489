import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { CHUNK_BYTES, sendFrom } from '../src/upload';

function fakeFile(size: number) {
  return { name: 'clip.mp4', size, slice: (a: number, b: number) => new Blob([new Uint8Array(b - a)]) };
}

describe('resumable uploads', () => {
  it('sends chunk by chunk and reports progress', async () => {
    const sent: number[] = [];
    const progress: number[] = [];
    await sendFrom(1, fakeFile(CHUNK_BYTES * 2 + 10), 0, {
      sendChunk: async (_id, chunk, first) => {
        sent.push(first);
        return first + chunk.size;
      },
      onProgress: (f) => progress.push(f),
    });
    expect(sent).toEqual([0, CHUNK_BYTES, CHUNK_BYTES * 2]);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('resumes from where the hub stands after a dropped chunk', async () => {
    let hub = 0;
    let dropped = false;
    const firsts: number[] = [];
    await sendFrom(1, fakeFile(CHUNK_BYTES * 3), 0, {
      sendChunk: async (_id, chunk, first) => {
        firsts.push(first);
        hub = first + chunk.size; // the bytes land ...
        if (first === CHUNK_BYTES && !dropped) {
          dropped = true;
          throw new ApiError(0, 'network', ''); // ... but the reply is lost
        }
        return hub;
      },
      offsetOf: async () => hub,
    });
    expect(firsts).toEqual([0, CHUNK_BYTES, CHUNK_BYTES * 2]); // nothing sent twice
  });

  it('gives up on a refusal instead of retrying', async () => {
    await expect(
      sendFrom(1, fakeFile(10), 0, {
        sendChunk: async () => {
          throw new ApiError(415, 'media.type_mismatch', 'not a video');
        },
      }),
    ).rejects.toThrow('not a video');
  });
});
