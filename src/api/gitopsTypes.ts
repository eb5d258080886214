// GET v1/clusters/{cluster}/gitops: what Argo CD and Flux need to live with the webhook's
// `template` target (docs/api.md "GitOps", docs/gitops.md). Re-exported by types.ts.

/** One entry of an Argo CD Application's spec.ignoreDifferences. */
export interface ArgoIgnore {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  jqPathExpressions: string[];
}

/** One entry of a Flux Kustomization's spec.driftIgnoreRules (target fields are regular expressions). */
export interface FluxRule {
  paths: string[];
  target: { group: string; kind: string; namespace: string; name: string };
}

export interface GitopsConfig {
  cluster: string;
  /** Deployments with at least one rule. */
  workloads: number;
  argoCD: { ignoreDifferences: ArgoIgnore[]; syncOptions: string[]; yaml: string };
  flux: { driftIgnoreRules: FluxRule[]; yaml: string };
  /** What could not be generated and why, one sentence each. */
  notes: string[];
}
