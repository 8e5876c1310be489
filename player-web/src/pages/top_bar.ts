// The thin bar on top of every page: home link, and the language switch (zh-CN / English).

import { currentLang, setLang, t } from '../i18n';
import { h } from '../ui/dom';

export function topBar(withBack: boolean): HTMLElement {
  const lang = h('button.lang', {
    type: 'button',
    onclick: () => {
      setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
      location.reload();
    },
  }, t('language'));
  return h(
    'header.topbar',
    {},
    withBack ? h('a.topbar-back', { href: '/' }, '‹ ' + t('home')) : h('span.topbar-brand', {}, t('appName')),
    h('span.spacer'),
    lang,
  );
}
