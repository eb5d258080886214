import { request } from './client';
import type { Page, Paging, Run, Schedule, ScheduleInput } from './types';
import { apiUrl, seg } from './url';
import { withKind } from './workloadKind';

// Items name their workload's kind only when it is not a Deployment (older backends reject the field).
const body = <T extends ScheduleInput>(s: T): T => ({ ...s, items: s.items.map((i) => withKind(i, i.kind)) });

/** GET v1/schedules */
export function listSchedules(query: { cluster?: string } & Paging = {}): Promise<Page<Schedule>> {
  return request({ url: apiUrl('schedules', { ...query }), method: 'GET' });
}

/** POST v1/schedules (Editor): a past runAt, a bad cron or zone is 400 naming the field. */
export function createSchedule(input: ScheduleInput): Promise<Schedule> {
  return request({ url: apiUrl('schedules'), method: 'POST', data: body(input) });
}

/** GET v1/schedules/{id} */
export function getSchedule(id: string): Promise<Schedule> {
  return request({ url: apiUrl(`schedules/${seg(id)}`), method: 'GET' });
}

/** PUT v1/schedules/{id} (Editor) */
export function updateSchedule(id: string, input: ScheduleInput & { expectedVersion: number }): Promise<Schedule> {
  return request({ url: apiUrl(`schedules/${seg(id)}`), method: 'PUT', data: body(input) });
}

/** POST v1/schedules/{id}/pause (Editor) */
export function pauseSchedule(id: string): Promise<Schedule> {
  return request({ url: apiUrl(`schedules/${seg(id)}/pause`), method: 'POST' });
}

/** POST v1/schedules/{id}/resume (Editor) */
export function resumeSchedule(id: string): Promise<Schedule> {
  return request({ url: apiUrl(`schedules/${seg(id)}/resume`), method: 'POST' });
}

/** DELETE v1/schedules/{id} (Editor): 204. */
export function deleteSchedule(id: string): Promise<void> {
  return request({ url: apiUrl(`schedules/${seg(id)}`), method: 'DELETE' });
}

/** GET v1/schedules/{id}/runs, newest first. */
export function listScheduleRuns(id: string, paging: Paging = {}): Promise<Page<Run>> {
  return request({ url: apiUrl(`schedules/${seg(id)}/runs`, { ...paging }), method: 'GET' });
}
