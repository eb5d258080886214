// Types of the "decide before enforcing" routes (docs/api.md "Deciding before enforcing").

import type { WorkloadKind } from './workloadKind';

export interface BacktestContainer {
  name: string;
  cpuRequestMillis: number;
  cpuLimitMillis: number;
  memRequestMiB: number;
  memLimitMiB: number;
}

/** A row to replay: -1 (or 0 for a request) keeps what ran that day. */
export interface BacktestProposal {
  /** -1 = as many pods as ran. */
  replicas: number;
  containers: BacktestContainer[];
}

export interface BacktestRequest {
  /** 1..400, default 30. */
  days?: number;
  /** Omitted: the current control-table row. */
  proposed?: BacktestProposal;
}

/** One container on one day: cores and bytes, 0 = no request/limit. */
export interface BacktestContainerDay {
  name: string;
  cpu: number;
  cpuRequest: number;
  cpuLimit: number;
  mem: number;
  memRequest: number;
  memLimit: number;
}

export interface BacktestDay {
  day: string;
  podsMax: number;
  overRequest: boolean;
  throttleRisk: boolean;
  oomRisk: boolean;
  throttlingRatio: number;
  oomKills: number;
  /** (request − usage) / request, the day's smallest; null when nothing is requested. */
  headroom: number | null;
  containers: BacktestContainerDay[];
}

export interface BacktestResult {
  proposal: BacktestProposal;
  days: number;
  daysWithData: number;
  overRequestDays: number;
  throttleRiskDays: number;
  oomRiskDays: number;
  oomKillDays: number;
  worst: {
    day: string;
    container: string;
    resource: 'cpu' | 'memory';
    usage: number;
    request: number;
    headroom: number;
  } | null;
  summary: string;
  items: BacktestDay[];
  notes: string[];
}

export interface Amount {
  live: number;
  target: number;
  delta: number;
}

export interface PreviewDecision {
  time: string;
  operation: string;
  result: string;
  reason: string;
}

export interface PreviewWorkload {
  name: string;
  /** Absent from older backends: Deployment. */
  kind?: WorkloadKind;
  status: 'change' | 'unchanged' | 'unknown' | 'not-running';
  direction: 'scale-down' | 'scale-up' | 'resize' | '';
  hpa: string;
  replicas: Amount;
  cpuRequestMillis: Amount;
  memRequestMiB: Amount;
  changes: string[];
  outcome?: 'denied' | 'warned' | 'allowed';
  tableVersion: number;
  lastDecision?: PreviewDecision | null;
  notes: string[];
}

export interface PreviewTotals {
  workloads: number;
  changed: number;
  scaleDown: number;
  scaleUp: number;
  resize: number;
  unknown: number;
  wouldDeny: number;
  notRunning: number;
  replicas: Amount;
  cpuRequestMillis: Amount;
  memRequestMiB: Amount;
}

export interface PreviewNamespace {
  name: string;
  control: string;
  unknownWorkloads: string;
  workloads: PreviewWorkload[];
  totals: PreviewTotals;
}

export interface EnforcementPreview {
  cluster: string;
  namespaces: PreviewNamespace[];
  totals: PreviewTotals;
  warnings: string[];
}
