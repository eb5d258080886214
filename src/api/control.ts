import { request } from './client';
import type {
  ControlCreate,
  ControlFilter,
  ControlRow,
  ControlUpdate,
  Items,
  Page,
  PublishedPolicy,
  WorkloadRef,
} from './types';
import { apiUrl, seg } from './url';
import { kindParam, withKind } from './workloadKind';

const rowPath = (w: WorkloadRef) => `control/${seg(w.cluster, w.namespace, w.workload)}`;
// The name alone does not say which workload: a StatefulSet may share a Deployment's name.
const rowUrl = (w: WorkloadRef, tail = '', query: Record<string, string | number | undefined> = {}) =>
  apiUrl(`${rowPath(w)}${tail}`, { kind: kindParam(w.kind), ...query });

/** GET v1/control: the current (not deleted) rows, paged. */
export function listControl(f: ControlFilter): Promise<Page<ControlRow>> {
  const { cluster, namespace, kind, q, limit, offset } = f;
  return request({ url: apiUrl('control', { cluster, namespace, kind, q, limit, offset }), method: 'GET' });
}

/** Largest page the API serves. */
export const MAX_PAGE = 1000;

/**
 * Every current row matching `f`, read page by page (the table sorts and pages in the browser),
 * up to `cap` rows; `truncated` says the cap was hit.
 */
export async function listAllControl(
  f: Omit<ControlFilter, 'limit' | 'offset'>,
  cap = 20000
): Promise<{ items: ControlRow[]; total: number; truncated: boolean }> {
  const items: ControlRow[] = [];
  let total = 0;
  for (let offset = 0; ; offset += MAX_PAGE) {
    const page = await listControl({ ...f, limit: MAX_PAGE, offset });
    const got = page.items ?? [];
    total = page.total;
    items.push(...got);
    if (got.length < MAX_PAGE || items.length >= total) {
      return { items, total, truncated: false };
    }
    if (items.length >= cap) {
      return { items, total, truncated: true };
    }
  }
}

/** GET v1/control/{cluster}/{namespace}/{workload}?kind= */
export function getControl(w: WorkloadRef): Promise<ControlRow> {
  return request({ url: rowUrl(w), method: 'GET' });
}

/** GET v1/control/{cluster}/{namespace}/{workload}/history?kind=, newest version first. */
export function getControlHistory(w: WorkloadRef): Promise<Items<ControlRow>> {
  return request({ url: rowUrl(w, '/history'), method: 'GET' });
}

/** GET v1/control/{cluster}/{namespace}/{workload}/policy?kind=: 404 when nothing is published. */
export function getPublishedPolicy(w: WorkloadRef): Promise<PublishedPolicy> {
  return request({ url: rowUrl(w, '/policy'), method: 'GET' });
}

/** POST v1/control (Editor): adds a workload to the table. */
export function createControl(body: ControlCreate): Promise<ControlRow> {
  return request({ url: apiUrl('control'), method: 'POST', data: withKind(body, body.kind) });
}

/** PUT v1/control/{cluster}/{namespace}/{workload}?kind= (Editor): 409 when expectedVersion is stale. */
export function updateControl(w: WorkloadRef, body: ControlUpdate): Promise<ControlRow> {
  return request({ url: rowUrl(w), method: 'PUT', data: body });
}

/** DELETE v1/control/{cluster}/{namespace}/{workload}?kind= (Editor): removes it from control. */
export function deleteControl(w: WorkloadRef, expectedVersion: number): Promise<ControlRow> {
  return request({ url: rowUrl(w, '', { expectedVersion }), method: 'DELETE' });
}
