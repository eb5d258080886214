import { request } from './client';
import type { DayRange, Items, Page, PeakNamespace, PeakQuery, PeakRow, PeakTopItem, PeakTotal, TopBy } from './types';
import { apiUrl } from './url';
import { kindParam, type WorkloadKind } from './workloadKind';

/** GET v1/peaks: peak rows of a cluster, paged. */
export function listPeaks(q: PeakQuery): Promise<Page<PeakRow>> {
  const { cluster, namespace, workload, kind, container, from, to, limit, offset } = q;
  return request({
    url: apiUrl('peaks', { cluster, namespace, workload, kind, container, from, to, limit, offset }),
    method: 'GET',
  });
}

/** GET v1/peaks/totals: per day, sums over the cluster's (or a namespace's) workloads. */
export function getPeakTotals(q: { cluster: string; namespace?: string } & DayRange): Promise<Items<PeakTotal>> {
  const { cluster, namespace, from, to } = q;
  return request({ url: apiUrl('peaks/totals', { cluster, namespace, from, to }), method: 'GET' });
}

/** GET v1/peaks/top: each workload's worst day in the range, ranked. */
export function getPeakTop(q: { cluster: string; by: TopBy; limit?: number } & DayRange): Promise<Items<PeakTopItem>> {
  const { cluster, from, to, by, limit } = q;
  return request({ url: apiUrl('peaks/top', { cluster, from, to, by, limit }), method: 'GET' });
}

/** GET v1/peaks/namespaces: each namespace's usage and share of the cluster. */
export function getPeakNamespaces(q: { cluster: string } & DayRange): Promise<Items<PeakNamespace>> {
  const { cluster, from, to } = q;
  return request({ url: apiUrl('peaks/namespaces', { cluster, from, to }), method: 'GET' });
}

/** GET v1/peaks/series: one workload (one container, or its pod total) day by day; `kind` only for non-Deployments. */
export function getPeakSeries(
  q: { cluster: string; namespace: string; workload: string; kind?: WorkloadKind; container?: string } & DayRange
): Promise<Items<PeakRow>> {
  const { cluster, namespace, workload, container, from, to } = q;
  const kind = kindParam(q.kind);
  return request({
    url: apiUrl('peaks/series', { cluster, namespace, workload, kind, container, from, to }),
    method: 'GET',
  });
}
