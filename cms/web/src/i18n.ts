// The studio's words: Chinese (zh-CN) first, English on request, kept per browser. The words
// themselves are in locales/zh.ts and locales/en.ts.

import { ref } from 'vue';
import { en } from './locales/en';
import { type TextKey, zh } from './locales/zh';

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

export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  const s = (lang.value === 'en' ? en : zh)[key];
  return s.replace(/\{(\w+)\}/g, (_, n: string) => (n in vars ? String(vars[n]) : ''));
}

export type { TextKey };
