// Renditions that appear after hls.js read the master playlist. hls.js reads the master once;
// a viewer who opened a stream in its first seconds (or while a slow transcoder caught up) got
// only the renditions that existed then. This adds the later ones to the running player without
// reloading it: the master is fetched again, the missing variants become hls.js Levels, and the
// level list is replaced the way hls.js's own removeLevel() does it (levels sorted low to high,
// each fragment's level index reassigned, LEVELS_UPDATED, the current level's index kept
// pointing at the same rendition). Written against hls.js 1.7 (package-lock pins it).

import type HlsType from 'hls.js/light';
import type * as HlsNamespace from 'hls.js/light';
import type { Level as LevelType } from 'hls.js/light';

export type HlsModule = Pick<typeof HlsNamespace, 'Level' | 'M3U8Parser' | 'Events'>;

// hls.js's order: by height, then bitrate (its level controller sorts the same way).
function byHeightThenBitrate(a: LevelType, b: LevelType): number {
  return a.height !== b.height ? a.height - b.height : a.bitrate - b.bitrate;
}

// Adds the variants of `masterText` that `hls` does not have; returns how many were added.
export function addLateLevels(mod: HlsModule, hls: HlsType, masterText: string, baseUrl: string): number {
  const have = new Set(hls.levels.map((l) => l.url[0]));
  const parsed = mod.M3U8Parser.parseMasterPlaylist(masterText, baseUrl).levels;
  const fresh = parsed.filter((p) => !have.has(p.url)).map((p) => new mod.Level(p));
  if (fresh.length === 0) return 0;
  // Internals hls.js's removeLevel() updates too; not part of its typed API.
  const controller = (hls as unknown as { levelController: { currentLevelIndex: number; manualLevelIndex: number } })
    .levelController;
  const current = controller.currentLevelIndex >= 0 ? hls.levels[controller.currentLevelIndex] : null;
  const manual = controller.manualLevelIndex >= 0 ? hls.levels[controller.manualLevelIndex] : null;
  const levels = [...hls.levels, ...fresh].sort(byHeightThenBitrate);
  levels.forEach((level, index) => {
    level.details?.fragments.forEach((f) => {
      f.level = index;
      if (f.initSegment) f.initSegment.level = index;
    });
  });
  hls.trigger(mod.Events.LEVELS_UPDATED, { levels });
  if (current) controller.currentLevelIndex = levels.indexOf(current);
  if (manual) controller.manualLevelIndex = levels.indexOf(manual);
  return fresh.length;
}
