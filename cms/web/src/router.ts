// The studio's pages under /studio/. Every page but sign-in needs a session; a page no role of
// the user can use sends them to the dashboard. Pages other than sign-in and the dashboard are
// loaded when first opened.

import { createRouter, createWebHistory } from 'vue-router';
import { NAV, mayOpen } from './roles';
import { session } from './session';
import DashboardView from './views/DashboardView.vue';
import SignInView from './views/SignInView.vue';

export const router = createRouter({
  history: createWebHistory('/studio/'),
  routes: [
    { path: '/signin', component: SignInView, meta: { public: true } },
    { path: '/', component: DashboardView },
    { path: '/content', component: () => import('./views/ContentListView.vue') },
    { path: '/content/:id', component: () => import('./views/ContentEditView.vue') },
    { path: '/calendar', component: () => import('./views/CalendarView.vue') },
    { path: '/review', component: () => import('./views/ReviewView.vue') },
    { path: '/challenges', component: () => import('./views/ChallengesView.vue') },
    { path: '/analytics', component: () => import('./views/AnalyticsView.vue') },
    { path: '/accounts', component: () => import('./views/AccountsView.vue') },
    { path: '/live', component: () => import('./views/LiveListView.vue') },
    { path: '/live/:id(\\d+)', component: () => import('./views/LiveControlView.vue') },
    { path: '/admin/users', component: () => import('./views/UsersView.vue') },
    { path: '/admin/orgs', component: () => import('./views/OrgsView.vue') },
    { path: '/admin/audit', component: () => import('./views/AuditView.vue') },
    { path: '/:rest(.*)*', component: () => import('./views/NotFoundView.vue') },
  ],
});

router.beforeEach((to) => {
  if (to.meta.public) return true;
  if (!session.user) return { path: '/signin', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  const item = NAV.find((n) => n.path === to.path);
  if (item && !mayOpen(session.user.grants, item)) return { path: '/' };
  return true;
});
