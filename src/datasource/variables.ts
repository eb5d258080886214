// Variable queries, as typed in a dashboard's variable editor:
//   clusters
//   namespaces(<cluster>)
//   workloads(<cluster>, <namespace>[, <kind>])
//   containers(<cluster>, <namespace>, <workload>[, <kind>])
// Arguments may be template variables ($cluster); they are interpolated before the request.
import type { KubeDoorQuery, VariableKind } from './types';

const ARITY: Record<VariableKind, number> = { clusters: 0, namespaces: 1, workloads: 2, containers: 3 };
// A trailing workload kind is optional: queries written before kinds existed keep working.
const KIND_ARG: Partial<Record<VariableKind, true>> = { workloads: true, containers: true };

export class VariableQueryError extends Error {}

/** Parses a variable query; throws VariableQueryError with a sentence saying what is accepted. */
export function parseVariableQuery(text: string): KubeDoorQuery {
  const m = /^\s*([a-z]+)\s*(?:\(([^()]*)\))?\s*$/.exec(text);
  const kind = m?.[1] as VariableKind | undefined;
  if (!m || !kind || !(kind in ARITY)) {
    throw new VariableQueryError(
      `unknown variable query "${text.slice(0, 80)}": use clusters, namespaces($cluster), workloads($cluster, $namespace[, $kind]) or containers($cluster, $namespace, $workload[, $kind])`
    );
  }
  const args = m[2] === undefined || m[2].trim() === '' ? [] : m[2].split(',').map((a) => a.trim());
  const arity = ARITY[kind];
  const fits = args.length === arity || (KIND_ARG[kind] && args.length === arity + 1);
  if (!fits || args.some((a) => a === '')) {
    const want = KIND_ARG[kind] ? `${arity} or ${arity + 1} (with a kind)` : String(arity);
    throw new VariableQueryError(`${kind} takes ${want} argument(s), got ${args.length}`);
  }
  const q: KubeDoorQuery = { refId: 'variable', queryType: 'variable', variable: kind };
  [q.cluster, q.namespace, q.workload] = args.slice(0, arity);
  if (args.length > arity) {
    q.kind = args[arity];
  }
  return q;
}
