// /replay/<recording-id>: the recording with the browser's own seek bar and the quality menu.

import { fetchRecordings } from '../api';
import { t } from '../i18n';
import { recordingMeta } from './home';
import { Player } from '../player/player';
import { h } from '../ui/dom';
import { createStage, showOverlay, showQuality } from './stage';
import { topBar } from './top_bar';

export function replayPage(root: HTMLElement, id: string): void {
  document.title = t('replayTitle');
  const stage = createStage(false);
  const title = h('h1.info-title', {}, t('replayTitle'));
  const meta = h('span.info-viewers', {}, '');
  stage.controls.append(h('span.spacer'), stage.qualityButton);
  stage.root.classList.add('stage-replay');
  root.append(h('div.watch.replay', {}, topBar(true), h('div.watch-main', {}, stage.root, h('div.infobar', {}, h('div.info-main', {}, title), meta))));

  const player = new Player(stage.video, `/vod/${encodeURIComponent(id)}/master.m3u8`, { live: false }, {
    state: (s) => {
      stage.root.dataset.state = s;
      if (s === 'playing') showOverlay(stage, null);
      else if (s === 'offline') showOverlay(stage, [h('p.overlay-title', {}, t('replayMissing'))]);
      else if (s === 'recovering') showOverlay(stage, [h('p.overlay-note', {}, t('reconnectingVideo'))]);
    },
    levels: (levels, current) => showQuality(stage, levels, current),
  });
  stage.player = player;
  void player.start();

  fetchRecordings()
    .then((recs) => {
      const r = recs.find((x) => x.id === id);
      if (r) {
        title.textContent = r.title;
        meta.textContent = recordingMeta(r);
        document.title = r.title;
        if (r.thumbnail) stage.video.poster = r.thumbnail;
      }
    })
    .catch(() => {});
}
