import { request } from './client';
import type { EnforcementUpdate, NamespaceItem, NamespaceList } from './types';
import { apiUrl, seg } from './url';

/** GET v1/clusters/{cluster}/namespaces: each namespace's enforcement switch. */
export function listNamespaces(cluster: string): Promise<NamespaceList> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/namespaces`), method: 'GET' });
}

/** PUT v1/clusters/{cluster}/namespaces/{namespace}/enforcement (Admin). */
export function putEnforcement(cluster: string, namespace: string, body: EnforcementUpdate): Promise<NamespaceItem> {
  return request({
    url: apiUrl(`clusters/${seg(cluster, 'namespaces', namespace)}/enforcement`),
    method: 'PUT',
    data: body,
  });
}
