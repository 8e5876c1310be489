// The player's words: Chinese (zh-CN) first, English on request; the choice is kept per device.

const zh = {
  appName: '直播',
  liveNow: '正在直播',
  upcoming: '即将开始',
  replays: '精彩回放',
  noLive: '现在没有直播',
  noUpcoming: '暂无预告',
  noReplays: '暂无回放',
  loadFailed: '加载失败，稍后自动重试',
  viewers: '{n} 人在看',
  likes: '{n} 赞',
  like: '点赞',
  stateLive: '直播中',
  stateOffline: '主播暂时离开，稍后自动恢复',
  stateEnded: '直播已结束',
  stateUpcoming: '直播即将开始',
  watchReplay: '观看回放',
  startsIn: '{t} 后开始',
  backToLive: '回到直播',
  latency: '延迟 {s} 秒',
  quality: '清晰度',
  auto: '自动',
  reconnectingVideo: '网络不稳定，正在重连…',
  chat: '聊天',
  chatPlaceholder: '说点什么…',
  send: '发送',
  danmakuOn: '弹幕开',
  danmakuOff: '弹幕关',
  density: '密度',
  densityLow: '少',
  densityMedium: '中',
  densityHigh: '多',
  chatConnecting: '正在连接聊天…',
  chatReconnecting: '聊天已断开，正在重连…',
  chatBanned: '你已被禁止在此直播间发言',
  chatGap: '断线期间的部分消息已无法找回',
  deleted: '该消息已被管理员删除',
  newMessages: '有新消息',
  'chat.muted': '你已被禁言{until}',
  'chat.rate_limited': '发言太快了，请稍后再试',
  'chat.rate_limited.wait': '发言太快了，请 {s} 秒后再试',
  'chat.filtered': '消息包含敏感词，未能发送',
  'chat.too_long': '消息太长了，最多 {max} 个字',
  'chat.forbidden': '游客不能发言，请先登录',
  'chat.slow_mode': '慢速模式中，请稍后再发',
  'chat.slow_mode.wait': '慢速模式中，请 {s} 秒后再发',
  'chat.duplicate': '请不要重复发送相同的内容',
  'chat.unavailable': '聊天暂时不可用，请重试',
  'chat.bad_request': '消息格式有误',
  guestHint: '游客可以观看和点赞，登录后才能发言',
  'room.not_found': '聊天室不存在',
  'auth.invalid': '登录已过期，正在重新连接',
  errorGeneric: '发送失败：{code}',
  notJoined: '聊天未连接，消息未发送',
  mutedUntil: '，到 {t}',
  replayTitle: '回放',
  replayMissing: '回放不存在或还在生成中',
  back: '返回',
  notFound: '页面不存在',
  fullscreen: '全屏',
  language: 'English',
  home: '首页',
  challengeTitle: '健步走',
  linkMissing: '请从单位的 App 中打开这个页面',
  linkInvalid: '链接已失效，请从 App 中重新打开',
  challengeMissing: '活动不存在',
  todaySteps: '今日步数',
  qualifiedToday: '今日已达标',
  toQualify: '再走 {n} 步达标',
  totalSteps: '累计步数',
  qualifyingDays: '达标天数',
  streak: '连续达标',
  myRank: '我的排名',
  participants: '{n} 人参加',
  milestones: '里程碑',
  milestoneReached: '已达成',
  milestoneNext: '距下一个还差 {n} 步',
  dailySteps: '每日步数',
  leaderboards: '排行榜',
  boardPeople: '个人',
  boardOrgs: '单位',
  boardTotal: '总榜',
  boardToday: '今日',
  boardWeek: '本周',
  boardOrgTotal: '总步数',
  boardOrgAverage: '人均',
  boardOrgRate: '参与率',
  boardEmpty: '还没有人上榜',
  aroundMe: '我的位置',
  myOrgRank: '我的单位',
  myOrgLine: '{org} 在 {parent} 中排名第 {rank}（共 {of} 个）',
  myOrgUnranked: '{org} 还没有上榜',
  certificate: '生成完赛证书',
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  appName: 'Live',
  liveNow: 'Live now',
  upcoming: 'Upcoming',
  replays: 'Replays',
  noLive: 'Nothing live right now',
  noUpcoming: 'Nothing scheduled yet',
  noReplays: 'No replays yet',
  loadFailed: 'Could not load; retrying shortly',
  viewers: '{n} watching',
  likes: '{n} likes',
  like: 'Like',
  stateLive: 'Live',
  stateOffline: 'The stream is offline; it resumes by itself',
  stateEnded: 'The live stream has ended',
  stateUpcoming: 'Starting soon',
  watchReplay: 'Watch the replay',
  startsIn: 'Starts in {t}',
  backToLive: 'Back to live',
  latency: 'Latency {s} s',
  quality: 'Quality',
  auto: 'Auto',
  reconnectingVideo: 'Network trouble, reconnecting…',
  chat: 'Chat',
  chatPlaceholder: 'Say something…',
  send: 'Send',
  danmakuOn: 'Bullets on',
  danmakuOff: 'Bullets off',
  density: 'Density',
  densityLow: 'Low',
  densityMedium: 'Mid',
  densityHigh: 'High',
  chatConnecting: 'Connecting to chat…',
  chatReconnecting: 'Chat disconnected, reconnecting…',
  chatBanned: 'You are banned from chatting in this room',
  chatGap: 'Some messages sent while you were away could not be recovered',
  deleted: 'Message removed by a moderator',
  newMessages: 'New messages',
  'chat.muted': 'You are muted{until}',
  'chat.rate_limited': 'You are sending too fast; try again in a moment',
  'chat.rate_limited.wait': 'You are sending too fast; try again in {s} s',
  'chat.filtered': 'Your message contains blocked words and was not sent',
  'chat.too_long': 'Too long: at most {max} characters',
  'chat.forbidden': 'Guests cannot chat; please sign in',
  'chat.slow_mode': 'Slow mode is on; wait a moment before the next message',
  'chat.slow_mode.wait': 'Slow mode is on; next message in {s} s',
  'chat.duplicate': 'Please do not send the same text again',
  'chat.unavailable': 'Chat is unavailable right now; try again',
  'chat.bad_request': 'The message was malformed',
  guestHint: 'Guests can watch and like; sign in to chat',
  'room.not_found': 'This chat room does not exist',
  'auth.invalid': 'Session expired, reconnecting',
  errorGeneric: 'Not sent: {code}',
  notJoined: 'Chat is not connected; message not sent',
  mutedUntil: ' until {t}',
  replayTitle: 'Replay',
  replayMissing: 'This replay does not exist or is still being made',
  back: 'Back',
  notFound: 'Page not found',
  fullscreen: 'Fullscreen',
  language: '中文',
  home: 'Home',
  challengeTitle: 'Walking challenge',
  linkMissing: 'Please open this page from your organisation\'s app',
  linkInvalid: 'This link has expired; open it again from the app',
  challengeMissing: 'This challenge does not exist',
  todaySteps: 'Steps today',
  qualifiedToday: 'Goal reached today',
  toQualify: '{n} more steps to reach the goal',
  totalSteps: 'Total steps',
  qualifyingDays: 'Goal days',
  streak: 'Streak',
  myRank: 'My rank',
  participants: '{n} taking part',
  milestones: 'Milestones',
  milestoneReached: 'Reached',
  milestoneNext: '{n} steps to the next one',
  dailySteps: 'Daily steps',
  leaderboards: 'Leaderboards',
  boardPeople: 'People',
  boardOrgs: 'Organisations',
  boardTotal: 'Total',
  boardToday: 'Today',
  boardWeek: 'This week',
  boardOrgTotal: 'Total steps',
  boardOrgAverage: 'Per person',
  boardOrgRate: 'Participation',
  boardEmpty: 'Nobody on the board yet',
  aroundMe: 'Around me',
  myOrgRank: 'My organisation',
  myOrgLine: '{org} is number {rank} of {of} in {parent}',
  myOrgUnranked: '{org} is not on the board yet',
  certificate: 'Get my certificate',
};

export type Lang = 'zh-CN' | 'en';
const STORAGE_KEY = 'hub.lang';

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    /* storage may be blocked */
  }
  return 'zh-CN';
}

let lang: Lang = initialLang();

export function currentLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    /* ignore */
  }
}

export function hasKey(k: string): k is Key {
  return k in zh;
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const s = (lang === 'en' ? en : zh)[key];
  return s.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : ''));
}

export function formatCount(n: number): string {
  if (lang === 'en') {
    if (n >= 1_000_000) return (n / 1_000_000).toFixed(1) + 'M';
    if (n >= 10_000) return (n / 1000).toFixed(1) + 'k';
    return String(n);
  }
  if (n >= 100_000_000) return (n / 100_000_000).toFixed(1) + '亿';
  if (n >= 10_000) return (n / 10_000).toFixed(1) + '万';
  return String(n);
}

// A running time as a clock: 0:20, 12:05, 1:02:03.
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
