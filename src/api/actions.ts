import { request } from './client';
import type { ActionResults, RestartRequest, ScaleRequest } from './types';
import { apiUrl } from './url';

/** POST v1/actions/scale (Editor): a failing item does not stop the batch. */
export function scaleWorkloads(body: ScaleRequest): Promise<ActionResults> {
  return request({ url: apiUrl('actions/scale'), method: 'POST', data: body });
}

/** POST v1/actions/restart (Editor). */
export function restartWorkloads(body: RestartRequest): Promise<ActionResults> {
  return request({ url: apiUrl('actions/restart'), method: 'POST', data: body });
}
