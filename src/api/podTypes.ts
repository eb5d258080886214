import type { WorkloadKind } from './types';

/** One container's requests and limits; null when not set. */
export interface PodContainerResources {
  name: string;
  cpuRequestMillis: number | null;
  cpuLimitMillis: number | null;
  memRequestMiB: number | null;
  memLimitMiB: number | null;
}

/** GET v1/clusters/{cluster}/pods: one pod (docs/api.md Pod). */
export interface Pod {
  name: string;
  node: string;
  phase: string;
  ready: number;
  containers: number;
  restarts: number;
  createdAt: string;
  ageSeconds: number;
  gracePeriodSeconds: number;
  terminating: boolean;
  lastTerminationReason: string;
  isolated: boolean;
  isolatedAt?: string;
  isolatedBy?: string;
  resources: PodContainerResources[];
}

export interface PodList {
  cluster: string;
  namespace: string;
  kind: WorkloadKind;
  workload: string;
  protected: boolean;
  protectedReason?: string;
  /** The selector label isolation changes; "" with cannotIsolate saying why. */
  isolationLabel: string;
  cannotIsolate?: string;
  pods: Pod[];
}

/** POST pods/isolate and pods/delete: one pod's outcome. */
export interface PodResult {
  cluster: string;
  namespace: string;
  kind: WorkloadKind;
  workload: string;
  pod: string;
  ok: boolean;
  error?: string;
}
