import { request } from './client';
import type { ActionResults, RestartRequest, ScaleRequest } from './types';
import { apiUrl } from './url';
import { withKind } from './workloadKind';

/**
 * POST v1/actions/scale (Editor): a failing item does not stop the batch. Each item carries `kind`
 * (left out for Deployments); DaemonSets have no replicas and are never sent here.
 */
export function scaleWorkloads(body: ScaleRequest): Promise<ActionResults> {
  const items = body.items.map((i) => withKind(i, i.kind));
  return request({ url: apiUrl('actions/scale'), method: 'POST', data: { ...body, items } });
}

/** POST v1/actions/restart (Editor). */
export function restartWorkloads(body: RestartRequest): Promise<ActionResults> {
  const items = body.items.map((i) => withKind(i, i.kind));
  return request({ url: apiUrl('actions/restart'), method: 'POST', data: { ...body, items } });
}
