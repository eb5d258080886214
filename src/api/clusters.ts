import { request } from './client';
import type {
  ClusterConnectionTest,
  ClusterHealth,
  ClusterItem,
  ClusterSettings,
  ClusterSettingsUpdate,
  ClusterTestResult,
  GitopsConfig,
  Items,
} from './types';
import { apiUrl, seg } from './url';

/** GET v1/clusters: every configured cluster with its settings and last collection. */
export function listClusters(): Promise<Items<ClusterItem>> {
  return request({ url: apiUrl('clusters'), method: 'GET' });
}

/** GET v1/clusters/{cluster}/settings (defaults with version 0 when never saved). */
export function getClusterSettings(cluster: string): Promise<ClusterSettings> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/settings`), method: 'GET' });
}

/** PUT v1/clusters/{cluster}/settings (Admin): 400 names the field, 409 on a stale version. */
export function putClusterSettings(cluster: string, body: ClusterSettingsUpdate): Promise<ClusterSettings> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/settings`), method: 'PUT', data: body });
}

/** POST v1/clusters/test (Admin): tries a connection before it is saved. */
export function testCluster(body: ClusterConnectionTest): Promise<ClusterTestResult> {
  return request({ url: apiUrl('clusters/test'), method: 'POST', data: body });
}

/** GET v1/clusters/{cluster}/health */
export function getClusterHealth(cluster: string): Promise<ClusterHealth> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/health`), method: 'GET' });
}

/** GET v1/clusters/{cluster}/gitops: the Argo CD and Flux blocks for the cluster's control table. */
export function getGitops(cluster: string): Promise<GitopsConfig> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/gitops`), method: 'GET' });
}
