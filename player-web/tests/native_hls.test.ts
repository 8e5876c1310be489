import { describe, expect, it } from 'vitest';
import { levelLabels, prefersNativeHls } from '../src/player/player';

// What the player picks by user agent and the video element's canPlayType. This machine has no
// Safari and no WeChat: these are their user agents, with the answers their browsers give.
const video = (hls: boolean) => ({ canPlayType: (type: string) => (hls && type === 'application/vnd.apple.mpegurl' ? 'maybe' : '') }) as HTMLVideoElement;
const UA = {
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  iphoneWeChat: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
  androidWeChat: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  desktopChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
};

describe('prefersNativeHls', () => {
  it('uses the system player on an iPhone, in Safari and in WeChat, which have no Media Source Extensions', () => {
    expect(prefersNativeHls(video(true), UA.iphoneSafari, false)).toBe(true);
    expect(prefersNativeHls(video(true), UA.iphoneWeChat, false)).toBe(true);
    // iPadOS 17.1+ and iOS 17.1+ have ManagedMediaSource: Apple's own player still plays LL-HLS better.
    expect(prefersNativeHls(video(true), UA.iphoneWeChat, true)).toBe(true);
  });
  it('uses Safari’s own player on a Mac', () => {
    expect(prefersNativeHls(video(true), UA.macSafari, true)).toBe(true);
  });
  it('uses hls.js in WeChat on Android and in Chrome, even where Chrome says it can play HLS', () => {
    expect(prefersNativeHls(video(false), UA.androidWeChat, true)).toBe(false);
    expect(prefersNativeHls(video(true), UA.androidWeChat, true)).toBe(false);
    expect(prefersNativeHls(video(true), UA.desktopChrome, true)).toBe(false);
  });
  it('never picks a native player that cannot play HLS', () => {
    expect(prefersNativeHls(video(false), UA.iphoneSafari, false)).toBe(false);
  });
});

describe('levelLabels', () => {
  it('names renditions by height, by bitrate when two share one, and by bitrate without a height', () => {
    expect(
      levelLabels([
        { height: 720, bitrate: 2_500_000 },
        { height: 360, bitrate: 800_000 },
        { height: 360, bitrate: 500_000 },
        { height: 0, bitrate: 96_000 },
      ]),
    ).toEqual(['720p', '360p 800k', '360p 500k', '96k']);
  });
});
