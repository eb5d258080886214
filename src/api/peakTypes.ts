// Types of the peak-data routes (docs/api.md "Peak data"); types.ts re-exports them.

import type { Paging } from './types';
import type { WorkloadKind } from './workloadKind';

/** One (workload, container, day) row; cores and bytes. `container: ""` is the pod total. */
export interface PeakRow {
  cluster: string;
  namespace: string;
  workload: string;
  /** Absent from older backends: Deployment. */
  kind?: WorkloadKind;
  container: string;
  day: string;
  windowStart: string;
  windowEnd: string;
  podsMin: number;
  podsMax: number;
  /** Most replicas the workload's spec asked for in the window; null without that series, in older rows and for DaemonSets. */
  replicasDesired?: number | null;
  /** Median of the Running+Ready pods over the window's steps; null in older rows. */
  podsReadyMedian?: number | null;
  cpuMax: number;
  cpuAvg: number;
  memMax: number;
  memAvg: number;
  cpuRequest: number;
  cpuLimit: number;
  memRequest: number;
  memLimit: number;
  cpuPctOfLimit: number;
  memPctOfLimit: number;
  throttlingRatio: number;
  oomKills: number;
  quantile: number;
  collectedAt: string;
}

/** Days are YYYY-MM-DD in the cluster's time zone, both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

export interface PeakQuery extends DayRange, Paging {
  cluster: string;
  namespace?: string;
  workload?: string;
  /** A list: only this kind; a single workload's rows: its kind (absent = Deployment). */
  kind?: WorkloadKind;
  container?: string;
}

export interface PeakTotal {
  day: string;
  pods: number;
  cpuUsage: number;
  cpuRequest: number;
  cpuLimit: number;
  memUsage: number;
  memRequest: number;
  memLimit: number;
}

export type TopBy = 'cpu' | 'memory' | 'cpuPct' | 'memPct' | 'pods';

export interface PeakTopItem {
  namespace: string;
  workload: string;
  kind?: WorkloadKind;
  value: number;
  day: string;
}

export interface PeakNamespace {
  namespace: string;
  workloads: number;
  pods: number;
  cpuUsage: number;
  memUsage: number;
  cpuRequest: number;
  memRequest: number;
  /** Shares of the cluster total, 0..1. */
  cpuShare: number;
  memShare: number;
}
