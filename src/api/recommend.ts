import { request } from './client';
import type { AcceptResult, AcceptRow, RecommendQuery, Recommendations } from './recommendTypes';
import { apiUrl, seg } from './url';

/** POST v1/control/{cluster}/recommendations/accept (Editor): recommended replicas become manual ones. */
export function acceptRecommendations(cluster: string, rows: AcceptRow[]): Promise<AcceptResult> {
  return request({
    url: apiUrl(`control/${seg(cluster)}/recommendations/accept`),
    method: 'POST',
    data: { rows },
  });
}

/** GET v1/clusters/{cluster}/recommendations: cost now, per the table and as recommended. */
export function getRecommendations(cluster: string, q: RecommendQuery = {}): Promise<Recommendations> {
  const { namespace, sort, limit, days } = q;
  return request({
    url: apiUrl(`clusters/${seg(cluster)}/recommendations`, { namespace, sort, limit, days }),
    method: 'GET',
  });
}
