// Variable queries, as typed in a dashboard's variable editor:
//   clusters
//   namespaces(<cluster>)
//   workloads(<cluster>, <namespace>)
//   containers(<cluster>, <namespace>, <workload>)
// Arguments may be template variables ($cluster); they are interpolated before the request.
import type { KubeDoorQuery, VariableKind } from './types';

const ARITY: Record<VariableKind, number> = { clusters: 0, namespaces: 1, workloads: 2, containers: 3 };

export class VariableQueryError extends Error {}

/** Parses a variable query; throws VariableQueryError with a sentence saying what is accepted. */
export function parseVariableQuery(text: string): KubeDoorQuery {
  const m = /^\s*([a-z]+)\s*(?:\(([^()]*)\))?\s*$/.exec(text);
  const kind = m?.[1] as VariableKind | undefined;
  if (!m || !kind || !(kind in ARITY)) {
    throw new VariableQueryError(
      `unknown variable query "${text.slice(0, 80)}": use clusters, namespaces($cluster), workloads($cluster, $namespace) or containers($cluster, $namespace, $workload)`
    );
  }
  const args = m[2] === undefined || m[2].trim() === '' ? [] : m[2].split(',').map((a) => a.trim());
  if (args.length !== ARITY[kind] || args.some((a) => a === '')) {
    throw new VariableQueryError(`${kind} takes ${ARITY[kind]} argument(s), got ${args.length}`);
  }
  const [cluster, namespace, workload] = args;
  return { refId: 'variable', queryType: 'variable', variable: kind, cluster, namespace, workload };
}
