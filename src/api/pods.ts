import { request } from './client';
import type { PodList, PodResult } from './podTypes';
import type { WorkloadRef } from './types';
import { apiUrl, seg } from './url';
import { kindParam } from './workloadKind';

/** GET v1/clusters/{cluster}/pods (Viewer): the workload's pods, isolated ones included and marked. */
export function listPods(ref: WorkloadRef): Promise<PodList> {
  return request({
    url: apiUrl(`clusters/${seg(ref.cluster)}/pods`, {
      namespace: ref.namespace,
      kind: kindParam(ref.kind),
      workload: ref.workload,
    }),
  });
}

function body(ref: WorkloadRef) {
  const k = kindParam(ref.kind);
  return { namespace: ref.namespace, workload: ref.workload, ...(k ? { kind: k } : {}) };
}

/** POST v1/clusters/{cluster}/pods/isolate (Editor). */
export function isolatePod(ref: WorkloadRef, pod: string): Promise<PodResult> {
  return request({
    url: apiUrl(`clusters/${seg(ref.cluster)}/pods/isolate`),
    method: 'POST',
    data: { ...body(ref), pod },
  });
}

/** POST v1/clusters/{cluster}/pods/delete (Editor): graceful, `intervalSeconds` apart. */
export function deletePods(ref: WorkloadRef, pods: string[], intervalSeconds = 0): Promise<{ results: PodResult[] }> {
  return request({
    url: apiUrl(`clusters/${seg(ref.cluster)}/pods/delete`),
    method: 'POST',
    data: { ...body(ref), pods, intervalSeconds },
  });
}
