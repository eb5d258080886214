// Query → backend request, as a pure function: which route, which query parameters. The
// datasource interpolates template variables first; here "" and ALL_VALUE mean "no filter".
import type { RecommendSort } from '../api/recommendTypes';
import { apiUrl, seg } from '../api/url';
import type { DayRange, TopBy } from '../api/types';
import { isWorkloadKind, kindParam } from '../api/workloadKind';
import type { Span } from './live';
import { ALL_VALUE, type KubeDoorQuery, type LimitResource } from './types';

export const TOP_BY: readonly TopBy[] = ['cpu', 'memory', 'cpuPct', 'memPct', 'pods'];
export const MAX_PEAK_ROWS = 1000;
export const RECOMMEND_SORTS: readonly RecommendSort[] = ['savings', 'score', 'risk'];
export const LIMIT_RESOURCES: readonly LimitResource[] = ['cpu', 'memory'];
/** The recommendations route's history window bounds (days). */
const MAX_DAYS = 400;
/** The node view's peak window bound (days). */
const MAX_NODE_DAYS = 90;

export class QueryError extends Error {}

const value = (v: string | undefined) => (v === undefined || v === ALL_VALUE ? '' : v.trim());

/**
 * The URL a resolved query reads, or a QueryError saying what is missing. `span` is the exact
 * range, which peak windows need (the rest read whole days).
 */
export function requestUrl(q: KubeDoorQuery, range: DayRange, span?: Span): string {
  const cluster = value(q.cluster);
  const namespace = value(q.namespace);
  const workload = value(q.workload);
  // A filter: every kind when empty or All; sent as is (older backends ignore it).
  const kind = value(q.kind) || undefined;
  if (kind !== undefined && !isWorkloadKind(kind)) {
    throw new QueryError(`unknown workload kind "${kind}": Deployment, StatefulSet or DaemonSet`);
  }
  // Naming one workload: its kind, left out for Deployments so older backends answer as before.
  const oneKind = kindParam(kind);
  const container = q.container === undefined ? undefined : value(q.container);
  const need = (what: string, v: string) => {
    if (!v) {
      throw new QueryError(`${q.queryType ?? 'totals'} needs a ${what}`);
    }
  };
  if (q.queryType === 'variable') {
    switch (q.variable) {
      case 'clusters':
        return apiUrl('clusters');
      case 'namespaces':
        need('cluster', cluster);
        return apiUrl('peaks/namespaces', { cluster, ...range });
      case 'workloads':
        need('cluster', cluster);
        return apiUrl('control', { cluster, namespace, kind, limit: MAX_PEAK_ROWS });
      case 'containers':
        need('cluster', cluster);
        need('namespace', namespace);
        need('workload', workload);
        return apiUrl('peaks', { cluster, namespace, workload, kind: oneKind, ...range, limit: MAX_PEAK_ROWS });
      default:
        throw new QueryError(`unknown variable kind ${String(q.variable)}`);
    }
  }
  need('cluster', cluster);
  switch (q.queryType ?? 'totals') {
    case 'totals':
      return apiUrl('peaks/totals', { cluster, namespace, kind, ...range });
    case 'top': {
      const by = q.by ?? 'cpu';
      if (!TOP_BY.includes(by)) {
        throw new QueryError(`top: unknown ranking "${by}"`);
      }
      return apiUrl('peaks/top', { cluster, kind, ...range, by, limit: clamp(q.limit ?? 10, 1, 100) });
    }
    case 'namespaces':
      return apiUrl('peaks/namespaces', { cluster, kind, ...range });
    case 'series':
      need('namespace', namespace);
      need('workload', workload);
      // No container = the pod total (docs/api.md).
      return apiUrl('peaks/series', { cluster, namespace, workload, kind: oneKind, container, ...range });
    case 'peaks':
      return apiUrl('peaks', {
        cluster,
        namespace,
        workload,
        // With a workload the kind says which one; without, it filters.
        kind: workload ? oneKind : kind,
        container,
        ...range,
        limit: clamp(q.limit ?? 100, 1, MAX_PEAK_ROWS),
      });
    case 'recommendations': {
      const sort = q.sort ?? 'savings';
      if (!RECOMMEND_SORTS.includes(sort)) {
        throw new QueryError(`recommendations: unknown sort "${sort}"`);
      }
      const limit = clamp(q.limit ?? 20, 1, MAX_PEAK_ROWS);
      return recommendUrl(cluster, { namespace, kind, sort, limit, days: rangeDays(range) });
    }
    case 'savings':
    case 'savingsByNamespace':
      // Totals and namespaces come with every answer: one item is enough.
      return recommendUrl(cluster, { namespace, kind, limit: 1, days: rangeDays(range) });
    case 'nodes':
      // The node view reads each workload's highest-load day of the range (at most 90 days).
      return apiUrl(`clusters/${seg(cluster)}/nodes`, { days: Math.min(rangeDays(range), MAX_NODE_DAYS) });
    case 'controlLimits': {
      need('namespace', namespace);
      need('workload', workload);
      if (!LIMIT_RESOURCES.includes(q.resource ?? 'cpu')) {
        throw new QueryError(`controlLimits: unknown resource "${String(q.resource)}": cpu or memory`);
      }
      return apiUrl(`control/${seg(cluster, namespace, workload)}`, { kind: oneKind });
    }
    case 'peakWindows':
      if (!span) {
        throw new QueryError('peakWindows needs the time range');
      }
      if (workload) {
        need('namespace', namespace);
      }
      // Without a workload: the namespace's window (or the cluster's without a namespace).
      return apiUrl(`clusters/${seg(cluster)}/peak-windows`, {
        from: Math.floor(span.fromMs),
        to: Math.ceil(span.toMs),
        namespace,
        kind: workload ? oneKind : undefined,
        workload,
      });
    default:
      throw new QueryError(`unknown query type "${String(q.queryType)}"`);
  }
}

function recommendUrl(cluster: string, query: Record<string, string | number | undefined>): string {
  return apiUrl(`clusters/${seg(cluster)}/recommendations`, query);
}

/** The days a range covers, both ends included, as the recommendations' history window. */
function rangeDays(range: DayRange): number {
  const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86400_000) + 1;
  return clamp(Number.isFinite(days) ? days : 30, 1, MAX_DAYS);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(Number.isFinite(n) ? n : lo)));
}
