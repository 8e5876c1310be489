// What several pages show of the CMS's objects: a scheduled post (calendar, dashboard), an item
// waiting for review, and the words and colours of their states.

import { TextKey, t } from './i18n';

export interface Post {
  id: number;
  item_id: number;
  title: string;
  account_name: string;
  platform: string;
  at: string;
  state: string;
  last_error?: string | null;
}

export interface ReviewItem {
  id: number;
  title: string;
  type: string;
  approvals: number;
  required: number;
  updated_at: number;
}

export const POST_STATES: Record<string, TextKey> = {
  scheduled: 'stateScheduled',
  publishing: 'statePublishing',
  published: 'statePublished',
  failed: 'stateFailed',
  unconfirmed: 'stateUnconfirmed',
  canceled: 'stateCanceled',
};

export function postStateText(s: string): string {
  return POST_STATES[s] ? t(POST_STATES[s]) : s;
}

export function postStateType(s: string): 'success' | 'danger' | 'warning' | 'info' {
  return s === 'published' ? 'success' : s === 'failed' ? 'danger' : s === 'unconfirmed' ? 'warning' : 'info';
}
