// The studio's entry: Element Plus's stylesheet (its components are imported by the pages that use
// them), the session, then the router.

import 'element-plus/dist/index.css';
import { createApp } from 'vue';
import App from './App.vue';
import { onSessionEnded } from './api';
import { router } from './router';
import { forget, loadSession } from './session';
import './styles.css';

onSessionEnded(() => {
  forget();
  const here = router.currentRoute.value;
  if (!here.meta.public) void router.replace({ path: '/signin', query: { next: here.fullPath, expired: '1' } });
});

async function start(): Promise<void> {
  try {
    await loadSession();
  } catch {
    /* the hub is unreachable: the sign-in page says so when used */
  }
  createApp(App).use(router).mount('#app');
}

void start();
