import { request } from './client';
import type { Items, NotificationChannel, NotificationTestResult } from './types';
import { apiUrl } from './url';

/** GET v1/notifications (Admin): the saved channels, secrets as `secretSet` only. */
export function listNotifications(): Promise<Items<NotificationChannel>> {
  return request({ url: apiUrl('notifications'), method: 'GET' });
}

/** POST v1/notifications/test (Admin): sends a test message through a saved channel. */
export function testNotification(id: string): Promise<NotificationTestResult> {
  return request({ url: apiUrl('notifications/test'), method: 'POST', data: { id } });
}
