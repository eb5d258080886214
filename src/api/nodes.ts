import { request } from './client';
import type { NodeView } from './nodeTypes';
import { apiUrl, seg } from './url';

/** GET v1/clusters/{cluster}/nodes: per node requested vs table vs peak, fragmentation and the drain estimate. */
export function getNodes(cluster: string, days?: number): Promise<NodeView> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/nodes`, { days }), method: 'GET' });
}
