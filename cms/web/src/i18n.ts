// The studio's words: Chinese (zh-CN) first, English on request, kept per browser.

import { ref } from 'vue';

const zh = {
  appName: '融媒体工作台',
  signIn: '登录',
  signOut: '退出登录',
  username: '用户名',
  password: '密码',
  signInFailed: '用户名或密码错误',
  signInLimited: '尝试次数过多，请 {s} 秒后再试',
  sessionExpired: '登录已过期，请重新登录',
  required: '必填',
  networkError: '网络错误，请稍后重试',
  navDashboard: '工作台',
  navReview: '待我审核',
  navAudit: '审计日志',
  org: '组织',
  wholeTree: '全部组织',
  liveNow: '正在直播',
  noLive: '现在没有直播',
  todaySchedule: '今日发布计划',
  noSchedule: '今天没有计划发布的内容',
  problems: '发布失败与待确认',
  noProblems: '没有失败或待确认的发布',
  waitingReview: '等待我审核',
  noReview: '没有等待审核的内容',
  figures: '关键数据',
  figScheduledToday: '今日计划',
  figPublishedToday: '今日已发布',
  figFailed: '失败/待确认',
  figReview: '待审核',
  time: '时间',
  account: '账号',
  title: '标题',
  state: '状态',
  error: '原因',
  viewers: '观看',
  startsAt: '开始时间',
  refresh: '刷新',
  loadFailed: '加载失败：{code}',
  stateScheduled: '待发布',
  statePublishing: '发布中',
  statePublished: '已发布',
  stateFailed: '失败',
  stateUnconfirmed: '待确认',
  stateCanceled: '已取消',
  auditAction: '操作',
  auditActor: '操作人',
  auditObject: '对象',
  auditWhen: '时间',
  auditFrom: '开始日期',
  auditTo: '结束日期',
  search: '查询',
  more: '加载更多',
  language: 'English',
  notFound: '页面不存在',
  submittedBy: '提交人',
  submittedAt: '提交时间',
  approve: '通过',
  reject: '驳回',
  rejectComment: '驳回意见',
  rejectPrompt: '请填写驳回意见，作者会看到',
  approved: '已通过',
  rejected: '已驳回',
  cancel: '取消',
  confirm: '确定',
  approvals: '审核进度',
  type: '类型',
  actionFailed: '操作失败：{code}',
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  appName: 'Studio',
  signIn: 'Sign in',
  signOut: 'Sign out',
  username: 'Username',
  password: 'Password',
  signInFailed: 'Wrong username or password',
  signInLimited: 'Too many attempts; try again in {s} s',
  sessionExpired: 'Your session ended; please sign in again',
  required: 'Required',
  networkError: 'Network error; try again shortly',
  navDashboard: 'Dashboard',
  navReview: 'My reviews',
  navAudit: 'Audit log',
  org: 'Organisation',
  wholeTree: 'All organisations',
  liveNow: 'Live now',
  noLive: 'Nothing is live',
  todaySchedule: "Today's schedule",
  noSchedule: 'Nothing is scheduled today',
  problems: 'Failed and unconfirmed',
  noProblems: 'No failed or unconfirmed posts',
  waitingReview: 'Waiting for my review',
  noReview: 'Nothing waits for your review',
  figures: 'Key figures',
  figScheduledToday: 'Scheduled today',
  figPublishedToday: 'Published today',
  figFailed: 'Failed / unconfirmed',
  figReview: 'To review',
  time: 'Time',
  account: 'Account',
  title: 'Title',
  state: 'State',
  error: 'Reason',
  viewers: 'Viewers',
  startsAt: 'Starts',
  refresh: 'Refresh',
  loadFailed: 'Could not load: {code}',
  stateScheduled: 'Scheduled',
  statePublishing: 'Publishing',
  statePublished: 'Published',
  stateFailed: 'Failed',
  stateUnconfirmed: 'Unconfirmed',
  stateCanceled: 'Canceled',
  auditAction: 'Action',
  auditActor: 'Who',
  auditObject: 'Object',
  auditWhen: 'When',
  auditFrom: 'From',
  auditTo: 'To',
  search: 'Search',
  more: 'Load more',
  language: '中文',
  notFound: 'Page not found',
  submittedBy: 'Submitted by',
  submittedAt: 'Submitted',
  approve: 'Approve',
  reject: 'Reject',
  rejectComment: 'Why',
  rejectPrompt: 'Say why; the author will see it',
  approved: 'Approved',
  rejected: 'Rejected',
  cancel: 'Cancel',
  confirm: 'OK',
  approvals: 'Approvals',
  type: 'Type',
  actionFailed: 'Failed: {code}',
};

export type Lang = 'zh-CN' | 'en';
const KEY = 'hub.studio.lang';

function initial(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export const lang = ref<Lang>(typeof localStorage === 'undefined' ? 'zh-CN' : initial());

export function setLang(l: Lang): void {
  lang.value = l;
  try {
    localStorage.setItem(KEY, l);
  } catch {
    /* storage may be blocked */
  }
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const s = (lang.value === 'en' ? en : zh)[key];
  return s.replace(/\{(\w+)\}/g, (_, n: string) => (n in vars ? String(vars[n]) : ''));
}

export type { Key as TextKey };
