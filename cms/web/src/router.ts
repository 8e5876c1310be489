// The studio's pages under /studio/. Every page but sign-in needs a session; a page no role of
// the user can use sends them to the dashboard.

import { createRouter, createWebHistory } from 'vue-router';
import { NAV, mayOpen } from './roles';
import { session } from './session';
import AccountsView from './views/AccountsView.vue';
import AnalyticsView from './views/AnalyticsView.vue';
import AuditView from './views/AuditView.vue';
import CalendarView from './views/CalendarView.vue';
import ChallengesView from './views/ChallengesView.vue';
import ContentEditView from './views/ContentEditView.vue';
import ContentListView from './views/ContentListView.vue';
import DashboardView from './views/DashboardView.vue';
import LiveControlView from './views/LiveControlView.vue';
import LiveListView from './views/LiveListView.vue';
import NotFoundView from './views/NotFoundView.vue';
import OrgsView from './views/OrgsView.vue';
import ReviewView from './views/ReviewView.vue';
import SignInView from './views/SignInView.vue';
import UsersView from './views/UsersView.vue';

export const router = createRouter({
  history: createWebHistory('/studio/'),
  routes: [
    { path: '/signin', component: SignInView, meta: { public: true } },
    { path: '/', component: DashboardView },
    { path: '/content', component: ContentListView },
    { path: '/content/:id', component: ContentEditView },
    { path: '/calendar', component: CalendarView },
    { path: '/review', component: ReviewView },
    { path: '/challenges', component: ChallengesView },
    { path: '/analytics', component: AnalyticsView },
    { path: '/accounts', component: AccountsView },
    { path: '/live', component: LiveListView },
    { path: '/live/:id(\\d+)', component: LiveControlView },
    { path: '/admin/users', component: UsersView },
    { path: '/admin/orgs', component: OrgsView },
    { path: '/admin/audit', component: AuditView },
    { path: '/:rest(.*)*', component: NotFoundView },
  ],
});

router.beforeEach((to) => {
  if (to.meta.public) return true;
  if (!session.user) return { path: '/signin', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  const item = NAV.find((n) => n.path === to.path);
  if (item && !mayOpen(session.user.grants, item)) return { path: '/' };
  return true;
});
