import { request } from './client';
import type { ActionResults, WorkloadRef } from './types';
import { apiUrl, seg } from './url';
import { kindParam, withKind } from './workloadKind';

/** One container's requests and limits as the API server holds them (quantities; absent = not set). */
export interface PodResources {
  name: string;
  cpuRequest?: string;
  cpuLimit?: string;
  memRequest?: string;
  memLimit?: string;
}

export type PodOutcome = 'resized' | 'requested' | 'unchanged' | 'skipped' | 'failed' | 'not run';

/** One pod's in-place resize (docs/api.md ResizeOutcome). */
export interface PodResize {
  pod: string;
  outcome: PodOutcome;
  reason?: string;
  /** Memory values not lowered, e.g. "app: memory request 1Gi kept: below peak (…)". */
  kept?: string[];
  before?: PodResources[];
  after?: PodResources[];
}

export interface ResizeOutcome {
  budget: { inFlight: number; from: string };
  pods: PodResize[] | null;
  /** Present when pods were skipped and the rollout-restart fallback was chosen. */
  fallback?: { restarted: boolean; reason: string };
}

/** An ActionResult whose `after` is a ResizeOutcome (absent when the workload failed before any pod). */
export interface ResizeResult {
  cluster: string;
  namespace: string;
  workload: string;
  kind?: string;
  ok: boolean;
  error?: string;
  after?: ResizeOutcome;
}

/**
 * POST v1/control/{cluster}/{namespace}/{workload}/resize?kind= (Editor): applies the row to the
 * workload's running pods in place, one at a time with `pauseSeconds` between them. With
 * `fallbackRestart`, a workload whose pods are skipped is restarted instead, but only while its
 * namespace's maintenance window is open.
 */
export function resizeNow(w: WorkloadRef, pauseSeconds: number, fallbackRestart = false): Promise<ResizeResult> {
  return request({
    url: apiUrl(`control/${seg(w.cluster, w.namespace, w.workload)}/resize`, { kind: kindParam(w.kind) }),
    method: 'POST',
    data: fallbackRestart ? { pauseSeconds, fallbackRestart } : { pauseSeconds },
  });
}

/** POST v1/actions/resize (Editor): a batch; intervalSeconds is the pause between pods. */
export function resizeWorkloads(body: { items: WorkloadRef[]; intervalSeconds: number }): Promise<ActionResults> {
  const items = body.items.map((i) => withKind(i, i.kind));
  return request({ url: apiUrl('actions/resize'), method: 'POST', data: { ...body, items } });
}
