import { request } from './client';
import type { AcceptResult, AcceptRow, RecommendQuery, Recommendations } from './recommendTypes';
import { apiUrl, seg } from './url';
import { withKind } from './workloadKind';

/** POST v1/control/{cluster}/recommendations/accept (Editor): recommended replicas become manual ones. */
export function acceptRecommendations(cluster: string, rows: AcceptRow[]): Promise<AcceptResult> {
  return request({
    url: apiUrl(`control/${seg(cluster)}/recommendations/accept`),
    method: 'POST',
    data: { rows: rows.map((r) => withKind(r, r.kind)) },
  });
}

/** GET v1/clusters/{cluster}/recommendations: cost now, per the table and as recommended. */
export function getRecommendations(cluster: string, q: RecommendQuery = {}): Promise<Recommendations> {
  const { namespace, kind, sort, limit, days } = q;
  return request({
    url: apiUrl(`clusters/${seg(cluster)}/recommendations`, { namespace, kind, sort, limit, days }),
    method: 'GET',
  });
}
