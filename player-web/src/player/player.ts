// Plays one HLS URL in a <video>: hls.js (light build: muxed renditions, no DRM or subtitles) in
// low-latency mode wherever Media Source Extensions exist, Safari's and iOS's own HLS player
// otherwise. Recovers from network and media errors without a page reload (recovery.ts says
// how); a missing playlist means "offline" and is polled until it comes back.

import type HlsType from 'hls.js/light';
import type { ErrorData, Level } from 'hls.js/light';
import { HlsModule, addLateLevels } from './late_levels';
import { liveTargets } from './live_tuning';
import { RecoveryPolicy } from './recovery';

export type PlayerState = 'loading' | 'playing' | 'offline' | 'ended' | 'recovering';

export interface QualityLevel {
  index: number; // -1 for auto
  label: string;
}

export interface PlayerEvents {
  state(s: PlayerState): void;
  levels(levels: QualityLevel[], current: number): void;
}

export interface PlayerOptions {
  live: boolean;
  retryMs?: number; // first retry delay when offline or after a fatal error
}

export function levelLabels(levels: { height: number; bitrate: number }[]): string[] {
  const heights = levels.map((l) => l.height);
  return levels.map((l) => {
    const base = l.height > 0 ? `${l.height}p` : `${Math.round(l.bitrate / 1000)}k`;
    const dup = l.height > 0 && heights.filter((h) => h === l.height).length > 1;
    return dup ? `${base} ${Math.round(l.bitrate / 1000)}k` : base;
  });
}

export function prefersNativeHls(video: HTMLVideoElement, ua: string, hasMse: boolean): boolean {
  const nativeOk = video.canPlayType('application/vnd.apple.mpegurl') !== '';
  if (!nativeOk) return false;
  if (!hasMse) return true;
  const apple = /iP(hone|ad|od)/.test(ua) || (/Safari\//.test(ua) && !/Chrome|Chromium|CriOS|Android|FxiOS|Edg/.test(ua));
  return apple;
}

export class Player {
  private hls: HlsType | null = null;
  private state_: PlayerState = 'loading';
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly recovery: RecoveryPolicy;
  private destroyed = false;
  private native = false;
  private sawEndList = false;
  private stalls = 0;
  private recoveringFrom = 0; // the end of the buffer when the recovery began
  private hlsModule: HlsModule | null = null;
  private expectedLevels = 0; // renditions the stream will have (0: not known)
  private levelCheckAt = -Infinity;
  private levelCheckBusy = false;
  // When each step first happened (ms on performance.now()): for the tests and the console.
  readonly marks: Record<string, number> = {};
  // The last fatal errors and what was done about them ("fragParsingError: recover-media"), for
  // the tests and the console.
  readonly recoveries: string[] = [];

  constructor(
    readonly video: HTMLVideoElement,
    private readonly src: string,
    private readonly opts: PlayerOptions,
    private readonly events: PlayerEvents,
  ) {
    this.recovery = new RecoveryPolicy({ retryMs: opts.retryMs });
  }

  get state(): PlayerState {
    return this.state_;
  }
  get usingNative(): boolean {
    return this.native;
  }

  async start(): Promise<void> {
    const v = this.video;
    // The first frame on screen (where the browser can tell), else the first 'playing'.
    const rvfc = (v as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number }).requestVideoFrameCallback;
    if (rvfc) rvfc.call(v, () => this.mark('frame'));
    v.addEventListener('playing', () => {
      this.mark('playing');
      this.setState('playing');
    });
    // A recovery the video played through (its buffer lasted) fires no new 'playing': it is
    // over once the video plays past what was buffered when the trouble began.
    v.addEventListener('timeupdate', () => {
      if (this.state_ === 'recovering' && !v.paused && v.currentTime > this.recoveringFrom) this.setState('playing');
    });
    v.addEventListener('ended', () => {
      if (this.opts.live) this.setState('ended');
    });
    const hasMse = typeof window !== 'undefined' && ('MediaSource' in window || 'ManagedMediaSource' in window);
    if (prefersNativeHls(v, navigator.userAgent, hasMse)) {
      this.native = true;
      this.startNative();
      return;
    }
    this.mark('start');
    const mod = await import('hls.js/light');
    const Hls = mod.default;
    this.hlsModule = mod;
    this.mark('hls-loaded');
    if (this.destroyed) return;
    if (!Hls.isSupported()) {
      this.native = true;
      this.startNative();
      return;
    }
    this.startHls(Hls);
  }

  // Seconds behind the live edge, or null when not known.
  latency(): number | null {
    if (this.hls) {
      const l = this.hls.latency;
      return isFinite(l) && l > 0 ? l : null;
    }
    const v = this.video;
    if (!this.opts.live || v.seekable.length === 0) return null;
    return Math.max(0, v.seekable.end(v.seekable.length - 1) - v.currentTime);
  }

  // Whether the viewer has fallen far behind the edge (paused, or stalled a while).
  behindLive(): boolean {
    const l = this.latency();
    if (l === null) return false;
    const target = this.hls?.targetLatency ?? 3;
    return l > target + 3;
  }

  // What the player is doing, for the tests and the console (window.hubPlayer.stats()).
  stats(): Record<string, number | string | null> {
    const v = this.video;
    const b = v.buffered;
    return {
      latency: this.latency(),
      target: this.hls?.targetLatency ?? null,
      buffer: b.length ? b.end(b.length - 1) - v.currentTime : 0,
      rate: v.playbackRate,
      level: this.hls?.currentLevel ?? -1,
      levels: this.hls?.levels.length ?? 0,
      stalls: this.stalls,
      dropped: v.getVideoPlaybackQuality?.().droppedVideoFrames ?? 0,
    };
  }

  private mark(name: string): void {
    if (!(name in this.marks)) this.marks[name] = Math.round(performance.now());
  }

  goLive(): void {
    const v = this.video;
    const edge = this.hls ? this.hls.liveSyncPosition : v.seekable.length ? v.seekable.end(v.seekable.length - 1) - 1 : null;
    if (edge !== null && isFinite(edge)) v.currentTime = edge;
    void v.play().catch(() => {});
  }

  // How many renditions the stream will have (the public streams listing's `renditions`). While
  // hls.js knows fewer (it read the master before the transcoder's rungs existed), the master is
  // read again at the next fragment and the new renditions join the running player.
  expectLevels(count: number): void {
    this.expectedLevels = count;
    void this.checkLevels();
  }

  private async checkLevels(): Promise<void> {
    const hls = this.hls;
    const mod = this.hlsModule;
    if (!hls || !mod || !this.opts.live || hls.levels.length === 0 || hls.levels.length >= this.expectedLevels) return;
    const now = performance.now();
    if (this.levelCheckBusy || now - this.levelCheckAt < 1000) return;
    this.levelCheckBusy = true;
    this.levelCheckAt = now;
    try {
      const url = new URL(this.src, location.href).href;
      const res = await fetch(url, { cache: 'no-store' });
      if (!res.ok || this.hls !== hls) return;
      if (addLateLevels(mod, hls, await res.text(), url) > 0) {
        this.mark('late-levels');
        this.emitLevels();
      }
    } catch {
      // The next fragment tries again.
    } finally {
      this.levelCheckBusy = false;
    }
  }

  setLevel(index: number): void {
    if (!this.hls) return;
    // Auto is -1. Live: nextLevel switches at the next fragment without flushing the few
    // seconds buffered. Replay: tens of seconds are buffered, so the choice would show only after
    // it played out; currentLevel flushes it and shows the chosen quality now.
    if (index < 0) this.hls.currentLevel = -1;
    else if (this.opts.live) this.hls.nextLevel = index;
    else this.hls.currentLevel = index;
    this.emitLevels();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.hls?.destroy();
    this.hls = null;
  }

  private startHls(Hls: typeof HlsType): void {
    const live = this.opts.live;
    const hls = new Hls({
      lowLatencyMode: live,
      // Catch up after a stall or a slow start by playing up to 1.5x (live_tuning.ts).
      maxLiveSyncPlaybackRate: live ? 1.5 : 1,
      liveSyncOnStallIncrease: 0.5,
      backBufferLength: live ? 30 : 90,
      liveDurationInfinity: true,
      // The hub sends fMP4 (nothing to transmux): a worker would only cost a second parse of
      // hls.js before the first frame.
      enableWorker: false,
      manifestLoadPolicy: {
        default: {
          maxTimeToFirstByteMs: 10_000,
          maxLoadTimeMs: 20_000,
          timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
          errorRetry: { maxNumRetry: 0, retryDelayMs: 1000, maxRetryDelayMs: 8000 },
        },
      },
    });
    this.hls = hls;
    hls.on(Hls.Events.MANIFEST_LOADED, () => this.mark('manifest'));
    hls.on(Hls.Events.FRAG_LOADED, () => {
      this.mark('frag');
      void this.checkLevels();
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      this.recovery.progressed();
      this.emitLevels();
      void this.video.play().catch(() => {
        // Autoplay refused even muted: the controls' play button takes over.
      });
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, () => this.emitLevels());
    let tuned = false;
    hls.on(Hls.Events.MANIFEST_LOADING, () => {
      tuned = false;
    });
    hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
      this.mark('level');
      const d = data.details;
      const targets = live && !tuned && d.live ? liveTargets(d.partHoldBack) : null;
      if (targets) {
        tuned = true;
        hls.targetLatency = targets.target;
        hls.config.liveMaxLatencyDuration = targets.max;
      }
      if (this.opts.live && data.details.endSN !== undefined && !data.details.live) this.sawEndList = true;
    });
    hls.on(Hls.Events.FRAG_BUFFERED, () => this.recovery.progressed());
    hls.on(Hls.Events.BUFFER_EOS, () => {
      if (this.opts.live && this.sawEndList) this.setState('ended');
    });
    hls.on(Hls.Events.ERROR, (_e, data) => this.onHlsError(Hls, data));
    hls.attachMedia(this.video);
    hls.loadSource(this.src);
  }

  // Keeps the last 50: a stream that keeps failing for hours must not grow the page.
  private noteRecovery(what: string): void {
    this.recoveries.push(what);
    if (this.recoveries.length > 50) this.recoveries.shift();
  }

  private onHlsError(Hls: typeof HlsType, data: ErrorData): void {
    if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) this.stalls++;
    if (!data.fatal || this.hls === null) return;
    const hls = this.hls;
    const kind = data.type === Hls.ErrorTypes.MEDIA_ERROR ? 'media' : data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : 'other';
    const manifest = data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR || data.details === Hls.ErrorDetails.MANIFEST_LOAD_TIMEOUT;
    const action = this.recovery.onFatal({ kind, manifest, status: data.response?.code ?? 0 });
    this.noteRecovery(`${data.details}: ${action.kind}`);
    this.setState(action.kind === 'offline' ? (this.sawEndList ? 'ended' : 'offline') : 'recovering');
    switch (action.kind) {
      case 'recover-media':
      case 'swap-and-recover':
        if (action.kind === 'swap-and-recover') hls.swapAudioCodec();
        hls.recoverMediaError();
        return this.later(this.recovery.stuckAfterMs, () => {
          if (this.state_ !== 'recovering' || this.hls !== hls) return;
          this.noteRecovery(`stuck: ${this.recovery.onStuck().kind}`);
          this.restartHls(Hls, hls);
        });
      case 'resume':
        return this.later(action.delayMs, () => hls.startLoad());
      case 'reload':
      case 'offline':
        return this.later(action.delayMs, () => hls.loadSource(this.src));
      case 'restart':
        return this.later(action.delayMs, () => this.restartHls(Hls, hls));
    }
  }

  // A fresh hls.js instance on the same video element.
  private restartHls(Hls: typeof HlsType, old: HlsType): void {
    old.destroy();
    this.hls = null;
    this.startHls(Hls);
  }

  private later(delayMs: number, fn: () => void): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.destroyed) fn();
    }, delayMs);
  }

  private startNative(): void {
    const v = this.video;
    v.addEventListener('loadedmetadata', () => void v.play().catch(() => {}));
    // Safari says little about why: the stream is polled until it plays again.
    v.addEventListener('error', () => {
      this.setState(this.opts.live ? 'offline' : 'recovering');
      this.later((this.opts.retryMs ?? 1000) * 2, () => {
        v.src = this.src;
        v.load();
      });
    });
    v.src = this.src;
    this.events.levels([], -1);
  }

  private emitLevels(): void {
    if (!this.hls) return;
    const levels: Level[] = this.hls.levels;
    const labels = levelLabels(levels.map((l) => ({ height: l.height, bitrate: l.bitrate })));
    const list: QualityLevel[] = levels
      .map((_, i) => ({ index: i, label: labels[i] }))
      .sort((a, b) => levels[b.index].bitrate - levels[a.index].bitrate);
    const current = this.hls.autoLevelEnabled ? -1 : this.hls.nextLevel >= 0 ? this.hls.nextLevel : this.hls.currentLevel;
    this.events.levels(list, current);
  }

  private setState(s: PlayerState): void {
    if (this.state_ === s || this.destroyed) return;
    if (s === 'recovering') {
      const b = this.video.buffered;
      this.recoveringFrom = b.length ? b.end(b.length - 1) : this.video.currentTime;
    }
    this.state_ = s;
    this.events.state(s);
  }
}
