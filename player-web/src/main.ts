// The app's entry: picks the page from the path (/, /watch/<name>, /replay/<id>,
// /challenge/<id>); the hub serves index.html for all of them.

import './styles.css';
import { currentLang, t } from './i18n';
import { challengePage } from './pages/challenge';
import { homePage } from './pages/home';
import { replayPage } from './pages/replay';
import { watchPage } from './pages/watch';
import { topBar } from './pages/top_bar';
import { h } from './ui/dom';

function route(): void {
  const root = document.getElementById('app');
  if (!root) return;
  document.documentElement.lang = currentLang();
  const path = location.pathname;
  const seg = (prefix: string) => {
    if (!path.startsWith(prefix)) return null;
    const rest = path.slice(prefix.length).replace(/\/+$/, '');
    return rest && !rest.includes('/') ? decodeURIComponent(rest) : null;
  };
  const watch = seg('/watch/');
  const replay = seg('/replay/');
  const challenge = seg('/challenge/');
  if (path === '/' || path === '/index.html') homePage(root);
  else if (watch) watchPage(root, watch);
  else if (replay) replayPage(root, replay);
  else if (challenge) challengePage(root, challenge);
  else root.append(topBar(true), h('p.empty', {}, t('notFound')));
}

route();
