import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import type { RecommendSort } from '../api/recommendTypes';
import type { TopBy } from '../api/types';

/** What a panel asks for; every string field may hold template variables ($cluster …). */
export type QueryType =
  | 'totals'
  | 'top'
  | 'namespaces'
  | 'series'
  | 'peaks'
  | 'recommendations'
  | 'savings'
  | 'savingsByNamespace'
  | 'nodes'
  | 'controlLimits'
  | 'peakWindows'
  | 'variable';

/** controlLimits: CPU in cores, memory in bytes. */
export type LimitResource = 'cpu' | 'memory';

export type VariableKind = 'clusters' | 'namespaces' | 'workloads' | 'containers';

export interface KubeDoorQuery extends DataQuery {
  queryType?: QueryType;
  cluster?: string;
  namespace?: string;
  workload?: string;
  /**
   * Workload kind (Deployment, StatefulSet, DaemonSet; "" or ALL_VALUE = every kind): a filter of
   * lists and totals, and which workload a series names (empty = Deployment). Optional: queries
   * saved before kinds existed read every kind, and a series a Deployment.
   */
  kind?: string;
  /** series/peaks: one container; "" (default) is the pod total. */
  container?: string;
  /** top: what to rank by. */
  by?: TopBy;
  /** top: how many (default 10); peaks: rows (default 100, max 1000); recommendations: default 20. */
  limit?: number;
  /** recommendations: the server's order (default savings). */
  sort?: RecommendSort;
  /** controlLimits: which resource's request and limit (default cpu). */
  resource?: LimitResource;
  /** variable queries only. */
  variable?: VariableKind;
}

/** The datasource has no settings: it always reads the app backend it ships with. */
export interface KubeDoorOptions extends DataSourceJsonData {}

export const DEFAULT_QUERY: Partial<KubeDoorQuery> = { queryType: 'totals', cluster: '$cluster' };

/** The value an "All" option of a namespace/workload variable carries: no filter. */
export const ALL_VALUE = '__all';
