// The kinds of workload KubeDoor controls (docs/workload-kinds.md). Older backends send no `kind` and take no
// `kind` parameter: for them everything is a Deployment, so a missing kind reads as Deployment
// and the UI sends `kind` (query parameter or body field) only for the other kinds.

import type { ControlReplicas } from './types';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export const DEFAULT_KIND: WorkloadKind = 'Deployment';

export function isWorkloadKind(v: unknown): v is WorkloadKind {
  return typeof v === 'string' && (WORKLOAD_KINDS as readonly string[]).includes(v);
}

/** The kind of an API object; absent, empty or unknown means Deployment. */
export function kindOf(x: { kind?: string | null } | undefined | null): WorkloadKind {
  const k = x?.kind;
  return isWorkloadKind(k) ? k : DEFAULT_KIND;
}

/** The `kind` to send: undefined for Deployments, so requests to older backends stay as they were. */
export function kindParam(kind: string | null | undefined): WorkloadKind | undefined {
  return isWorkloadKind(kind) && kind !== DEFAULT_KIND ? kind : undefined;
}

/** `item` with `kind` set for non-Deployments and left out for Deployments (older backends reject unknown body fields). */
export function withKind<T extends object>(item: T, kind: string | null | undefined): T & { kind?: WorkloadKind } {
  const { kind: _drop, ...rest } = item as T & { kind?: unknown };
  const k = kindParam(kind);
  return (k ? { ...rest, kind: k } : rest) as T & { kind?: WorkloadKind };
}

/** DaemonSets run one pod per node: they have no replicas to show, edit or scale. */
export function hasReplicas(kind: WorkloadKind): boolean {
  return kind !== 'DaemonSet';
}

/** A control row's replicas, or undefined for a DaemonSet (or any row without them). */
export function replicasOf(row: {
  kind?: string | null;
  replicas?: ControlReplicas | null;
}): ControlReplicas | undefined {
  return hasReplicas(kindOf(row)) ? (row.replicas ?? undefined) : undefined;
}

/** A recommendations item's replicas, or undefined for a DaemonSet: it has no replicas to recommend. */
export function recommendReplicas<R>(item: { kind?: string | null; replicas?: R | null }): R | undefined {
  return hasReplicas(kindOf(item)) ? (item.replicas ?? undefined) : undefined;
}

/** The one text form of a workload: "namespace/name" for Deployments, "namespace/Kind/name" for the others. */
export function workloadTarget(namespace: string, workload: string, kind?: string | null): string {
  const k = kindParam(kind);
  return k ? `${namespace}/${k}/${workload}` : `${namespace}/${workload}`;
}

/** Reads workloadTarget's form back; undefined when it is not one. */
export function parseWorkloadTarget(
  target: string
): { namespace: string; workload: string; kind: WorkloadKind } | undefined {
  const parts = target.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) {
    return { namespace: parts[0], workload: parts[1], kind: DEFAULT_KIND };
  }
  if (parts.length === 3 && parts[0] && parts[2] && isWorkloadKind(parts[1])) {
    return { namespace: parts[0], workload: parts[2], kind: parts[1] };
  }
  return undefined;
}
