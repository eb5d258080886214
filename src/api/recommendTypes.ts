// Types of the decision-support routes: recommended replicas, their acceptance, and
// the recommendations report with its money.

import type { WorkloadKind } from './workloadKind';

/** Cores, GiB and their monthly price in the report's currency. */
export interface Cost {
  cpuCores: number;
  memGiB: number;
  monthly: number;
}

export interface Prices {
  currency: string;
  cpuCoreHour: number;
  memGiBHour: number;
}

export interface RecommendOverride {
  namespace: string;
  /** A workload override's kind; absent = Deployment (and always absent for a whole namespace). */
  kind?: WorkloadKind;
  /** "" = the whole namespace. */
  workload: string;
  cpuTarget: number;
  memTarget: number;
}

/** ClusterSettings.recommend: how recommended replicas are made and whether they are enforced. */
export interface RecommendSettings {
  enabled: boolean;
  cpuTarget: number;
  memTarget: number;
  maxReplicas: number;
  maxStepDown: number;
  overrides: RecommendOverride[] | null;
}

export interface AcceptRow {
  namespace: string;
  workload: string;
  /** Sent only for non-Deployments; DaemonSets have no replicas to accept. */
  kind?: WorkloadKind;
  version: number;
}

export type RefusedCode = 'conflict' | 'hpa' | 'none' | 'notFound';

/** Rows one accept may list. */
export const MAX_ACCEPT = 1000;

export interface AcceptResult {
  accepted: Array<AcceptRow & { replicas: number }> | null;
  refused: Array<{
    namespace: string;
    workload: string;
    kind?: WorkloadKind;
    code: RefusedCode;
    reason: string;
  }> | null;
}

export type RecommendSort = 'savings' | 'score' | 'risk';
/** `unknown` without stored history. */
export type RiskLevel = 'low' | 'medium' | 'high' | 'unknown';

export interface RecommendQuery {
  namespace?: string;
  /** Only this kind (newer backends; the page also filters in the browser). */
  kind?: WorkloadKind;
  sort?: RecommendSort;
  limit?: number;
  days?: number;
}

export interface Risk {
  level: RiskLevel;
  daysOverRequest: number;
  daysNearCPULimit: number;
  daysNearMemLimit: number;
  oomKills: number;
}

export interface RecommendItem {
  namespace: string;
  workload: string;
  /** Absent from older backends: Deployment. */
  kind?: WorkloadKind;
  version: number;
  /** Absent for DaemonSets (no replicas); read through recommendReplicas. */
  replicas?: { now: number; table: number; recommended: number };
  now: Cost;
  table: Cost;
  recommended: Cost;
  savings: number;
  /** Null when there is too little history to score. */
  score: number | null;
  scoreReason: string;
  risk: Risk;
  historyDays: number;
  /** What the prices assume (unset requests counted as 0, no running Deployment). */
  notes?: string[] | null;
}

export interface RecommendNamespace {
  namespace: string;
  now: Cost;
  table: Cost;
  recommended: Cost;
}

export interface Recommendations {
  cluster: string;
  currency: string;
  prices: Prices;
  days: number;
  nowFrom: 'live' | 'stored';
  totals: { now: Cost; table: Cost; recommended: Cost; savingsTable: number; savingsRecommended: number };
  namespaces: RecommendNamespace[] | null;
  items: RecommendItem[] | null;
  /** Workloads in scope; `items` holds the first `limit`. */
  total?: number;
  /** E.g. the cluster could not be read, so `now` is from stored peaks. */
  warnings?: string[] | null;
  /** Where the replay of the peak history came from, and when it was computed. */
  replay?: { from: 'cache' | 'refreshed' | 'computed'; computedAt: string } | null;
}
