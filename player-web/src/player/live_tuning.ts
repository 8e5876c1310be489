// How close to the live edge the player runs, and a playlist filter. Both measured against the
// hub's LL-HLS (parts of 0.33 s, PART-HOLD-BACK 1.02 s, segments of 2 s) in the e2e playback
// spec (docs/benchmarks.md):
// - The target latency is the playlist's PART-HOLD-BACK plus half a second. At exactly
//   PART-HOLD-BACK the forward buffer stays under the one second hls.js needs before it speeds
//   playback up, so a player that fell behind once (a stall, a slow start) stayed behind (3.7 s
//   p50 measured). Half a second more gives it room to catch up at up to 1.5x.
// - Past the target plus 3.5 s the player jumps back to the target instead (after a long stall
//   or a tab in the background).
// - EXT-X-PROGRAM-DATE-TIME is dropped from media playlists before hls.js reads them: hls.js
//   lines renditions up by it, and the hub stamps each rendition's segments with the time its
//   first frame reached the packager, so a transcoded rendition runs late by the transcoder's
//   delay (seconds on a busy host) and a quality switch lands seconds off (holes, stalls, once a
//   jump of minutes). Without it hls.js lines renditions up by media sequence number, which is
//   exact for the hub (every rendition cuts its segments at the same key frames).

import type { HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, PlaylistLoaderConstructor, PlaylistLoaderContext } from 'hls.js/light';

export interface LiveTargets {
  target: number; // seconds behind the live edge the player aims for
  max: number; // seconds behind the edge past which it jumps back to the target
}

// The targets for a low-latency playlist (PART-HOLD-BACK given), or null for a plain one (then
// hls.js's own three target durations apply).
export function liveTargets(partHoldBack: number | undefined | null): LiveTargets | null {
  if (!partHoldBack || !isFinite(partHoldBack) || partHoldBack <= 0) return null;
  const target = Math.round((partHoldBack + 0.5) * 1000) / 1000;
  return { target, max: target + 3.5 };
}

// A media playlist without its EXT-X-PROGRAM-DATE-TIME lines (the master has none).
export function stripProgramDateTime(playlist: string): string {
  if (!playlist.includes('#EXT-X-PROGRAM-DATE-TIME')) return playlist;
  return playlist.replace(/^#EXT-X-PROGRAM-DATE-TIME:[^\r\n]*\r?\n/gm, '');
}

// hls.js's own playlist loader with stripProgramDateTime applied to every answer.
export function playlistLoaderWithoutPdt(base: HlsConfig['loader']): PlaylistLoaderConstructor {
  type Base = new (config: HlsConfig) => Loader<PlaylistLoaderContext>;
  const Base = base as unknown as Base;
  return class extends Base {
    load(context: PlaylistLoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<PlaylistLoaderContext>): void {
      const onSuccess = callbacks.onSuccess;
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response, stats, ctx, networkDetails) => {
          if (typeof response.data === 'string') response.data = stripProgramDateTime(response.data);
          onSuccess(response, stats, ctx, networkDetails);
        },
      });
    }
  };
}
