import { request } from './client';
import type { CollectionRequest, Job, JobState, Page, Paging } from './types';
import { apiUrl, seg } from './url';

/** POST v1/clusters/{cluster}/collections (Editor): starts a backfill or a day-range re-run. */
export function startCollection(cluster: string, body: CollectionRequest): Promise<Job> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/collections`), method: 'POST', data: body });
}

/** GET v1/collections, newest first. */
export function listCollections(query: { cluster?: string; state?: JobState } & Paging = {}): Promise<Page<Job>> {
  return request({ url: apiUrl('collections', { ...query }), method: 'GET' });
}

/** GET v1/collections/{id} */
export function getCollection(id: string): Promise<Job> {
  return request({ url: apiUrl(`collections/${seg(id)}`), method: 'GET' });
}

/** DELETE v1/collections/{id} (Editor): cancels; the job says `cancelled` once it stops. */
export function cancelCollection(id: string): Promise<Job> {
  return request({ url: apiUrl(`collections/${seg(id)}`), method: 'DELETE' });
}
