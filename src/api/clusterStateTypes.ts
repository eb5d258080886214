// What the clusters hold, as the backend reports it: the publisher's last reconcile and a
// workload's CapacityPolicy with the webhook's last decision (docs/api.md). Re-exported by types.ts.

/** The outcome of the backend's last reconcile of a cluster's CapacityPolicies. */
export interface PublishStatus {
  at: string;
  trigger: string;
  /** Whole-cluster failure (CRD missing, list forbidden, control table unreadable): nothing written. */
  error?: string;
  runs: number;
  errors: number;
  result: {
    cluster: string;
    created: number;
    updated: number;
    deleted: number;
    unchanged: number;
    statusOnly: number;
    failed: number;
    writes: number;
    /** Deletions withheld by the mass-deletion guard, and why. */
    held?: number;
    heldReason?: string;
    failures?: Array<{ namespace: string; name: string; op: string; error: string }>;
    tookMs: number;
  };
}

/** GET v1/control/{cluster}/{namespace}/{workload}/policy: the CapacityPolicy as the cluster holds it. */
export interface PublishedPolicy {
  namespace: string;
  name: string;
  generation: number;
  /** Labelled as published by KubeDoor (an unlabelled one was written by hand and is never changed). */
  managed: boolean;
  spec: {
    cluster?: string;
    sourceVersion?: number;
    replicas?: number;
    /** Quantities as Kubernetes writes them ("500m", "1Gi"). */
    containers?: Array<{
      name: string;
      cpuRequest?: string;
      cpuLimit?: string;
      memoryRequest?: string;
      memoryLimit?: string;
    }>;
  };
  status: {
    observedGeneration?: number;
    publishedAt?: string;
    lastDecision?: { time: string; operation: string; result: string; reason: string };
  };
}
