// Types of the backend's resource API, field for field as docs/api.md writes them. Go encodes an
// empty slice as null, so list fields the backend builds from slices are typed `T[] | null` where
// the contract does not promise otherwise, and readers use `?? []`.

import type { PublishStatus } from './clusterStateTypes';
import type { Prices, RecommendSettings } from './recommendTypes';
import type { WorkloadKind } from './workloadKind';

export type { PublishedPolicy, PublishStatus } from './clusterStateTypes';
export type { ArgoIgnore, FluxRule, GitopsConfig } from './gitopsTypes';
export type { AuditEntry, AuditQuery, AuditResult } from './auditTypes';
export type { WorkloadKind } from './workloadKind';
export type { DayRange, PeakNamespace, PeakQuery, PeakRow, PeakTopItem, PeakTotal, TopBy } from './peakTypes';
export type {
  ActionResult,
  ActionResults,
  RestartRequest,
  Run,
  RunStatus,
  ScaleItem,
  ScaleRequest,
  Schedule,
  ScheduleAction,
  ScheduleInput,
  ScheduleItem,
  ScheduleKind,
} from './actionTypes';

export type Role = 'None' | 'Viewer' | 'Editor' | 'Admin';

/** `{items, total}` of every paged list. */
export interface Page<T> {
  items: T[] | null;
  total: number;
}

/** `{items}` of unpaged lists. */
export interface Items<T> {
  items: T[] | null;
}

/** Paging query of lists: limit 1..1000 (default 100), offset ≥ 0. */
export interface Paging {
  limit?: number;
  offset?: number;
}

// ---- Status -------------------------------------------------------------------------------

/** GET v1/me */
export interface Me {
  login: string;
  role: Role;
  canRead: boolean;
  canWrite: boolean;
  canAdmin: boolean;
}

// ---- Clusters and their settings ---------------------------------------------------------

/** "HH:MM"–"HH:MM" in the cluster's time zone; end ≤ start crosses midnight. */
export interface PeakWindow {
  start: string;
  end: string;
}

export interface PeakWindowOverride {
  namespace: string;
  /** A workload override's kind; absent = Deployment (and always absent for a whole namespace). */
  kind?: WorkloadKind;
  /** "" = the whole namespace. */
  workload: string;
  peakWindow: PeakWindow;
}

export type DeriveMode = 'per-workload' | 'kubedoor';

/** Per-cluster settings of the peak pipeline, kept in the store (docs/api.md `ClusterSettings`). */
export interface ClusterSettings {
  cluster: string;
  /** Read-only here: from the connection. */
  timeZone: string;
  peakWindow: PeakWindow;
  overrides: PeakWindowOverride[] | null;
  quantile: number;
  days: number;
  mode: DeriveMode;
  headroom: number;
  cpuFloorMillis: number;
  memFloorMiB: number;
  oomBump: boolean;
  /** Fewest replicas the derivation observes (default 1); a Deployment at 0 the whole peak window stays at 0. */
  minReplicas: number;
  retentionDays: number;
  /**
   * concurrency: Prometheus queries in flight (1..16); queryTimeoutSeconds: per attempt (5..600);
   * minFoundRatio: share (0..1) of a day's stored workloads a re-collection must find again to replace the day.
   */
  collect: { enabled: boolean; at: string; concurrency?: number; queryTimeoutSeconds?: number; minFoundRatio?: number };
  /** Recommended replicas; absent from older backends. */
  recommend?: RecommendSettings;
  /** Prices of the recommendations report; absent from older backends. */
  prices?: Prices;
  /** 0 when never saved (defaults). */
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/** PUT v1/clusters/{cluster}/settings body. */
export type ClusterSettingsUpdate = ClusterSettings & { expectedVersion: number };

export type JobKind = 'daily' | 'backfill' | 'rerun';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A day whose stored peak rows a job left in place (all of them, or those of workloads it did not find again). */
export interface KeptDay {
  day: string;
  storedWorkloads: number;
  foundWorkloads: number;
  keptWorkloads: number;
  reason: string;
}

/** A collection job. */
export interface Job {
  id: string;
  cluster: string;
  kind: JobKind;
  state: JobState;
  firstDay: string;
  lastDay: string;
  daysTotal: number;
  daysDone: number;
  workloads: number;
  errorCount: number;
  errors: string[] | null;
  /** Days whose stored rows were kept, with the reason; absent from jobs of older backends. */
  kept?: KeptDay[] | null;
  /** Days Prometheus held no data of when the job started (not collected). */
  unavailable?: string[] | null;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
}

/** GET v1/clusters item. */
export interface ClusterItem {
  name: string;
  timeZone: string;
  prometheusUrl: string;
  settings: ClusterSettings;
  lastCollection: Job | null;
}

export type KubeAccess = 'kubeconfig' | 'in-cluster' | '';

/** POST v1/clusters/test body: a connection as the config page holds it, with the secrets typed. */
export interface ClusterConnectionTest {
  name: string;
  prometheusUrl: string;
  prometheusUsername?: string;
  prometheusTlsSkipVerify?: boolean;
  clusterLabelKey?: string;
  clusterLabelValue?: string;
  timeZone?: string;
  kubeAccess?: KubeAccess;
  kubedoorNamespace?: string;
  /** Secrets: only what was typed; the backend does not read stored ones for a test. */
  prometheusPassword?: string;
  prometheusToken?: string;
  kubeconfig?: string;
}

export interface Check {
  ok: boolean;
  message: string;
  version?: string;
}

/** POST v1/clusters/test answer. */
export interface ClusterTestResult {
  prometheus: Check;
  kubernetes: Check;
  webhook: Check;
}

/** GET v1/clusters/{cluster}/health */
export interface ClusterHealth {
  kubernetes: Check;
  prometheus: Check;
  webhook: { installed: boolean; ready: boolean; message: string };
  lastCollection: Job | null;
  /** null before the first reconcile in this backend process, or without Kubernetes access. */
  lastPublish: PublishStatus | null;
  /** This backend's schedule runner for the cluster; null when it runs no schedules. */
  schedules: ScheduleRunnerStatus | null;
}

/** Who runs a cluster's schedules (its schedule lease), or why nobody can. */
export interface ScheduleRunnerStatus {
  state: 'held' | 'elsewhere' | 'blocked' | 'waiting' | 'local' | 'none';
  /** namespace/name of the Lease */
  lease?: string;
  holder?: string;
  reason?: string;
}

/** POST v1/clusters/{cluster}/collections body: the last N days, or a day range. */
export type CollectionRequest = { days: number } | { from: string; to: string };

// ---- Control table -----------------------------------------------------------------------

export type ReplicasSource = 'manual' | 'recommended' | 'observed' | 'none';
export type FieldSource = 'collected' | 'manual';

/**
 * Which statistic replicas.observed is: the Deployment's desired replicas at the peak, the
 * median of its Ready pods (no spec series), the most Ready pods (a sample collected before
 * those were stored), or the cluster's minReplicas floor; '' on rows derived before it was kept.
 */
export type ObservedFrom = 'desired' | 'ready-median' | 'ready-max' | 'floor' | '';

export interface ControlReplicas {
  manual: number;
  recommended: number;
  /** What the recommendation sets: replicas, or the HPA's minReplicas; "" when there is none. */
  recommendedFor?: 'replicas' | 'hpaMinReplicas' | '';
  /** Why this number, or why there is none. */
  recommendedReason?: string;
  /** The recommendation takes part in enforcement (cluster setting recommend.enabled). */
  recommendedActive?: boolean;
  observed: number;
  observedFrom?: ObservedFrom;
  effective: number;
  source: ReplicasSource;
}

export interface ControlContainer {
  name: string;
  cpuRequestMillis: number;
  cpuLimitMillis: number;
  memRequestMiB: number;
  memLimitMiB: number;
  sources: { cpuRequest: FieldSource; cpuLimit: FieldSource; memRequest: FieldSource; memLimit: FieldSource };
}

export interface ControlRow {
  cluster: string;
  namespace: string;
  workload: string;
  /** Absent from older backends: Deployment. */
  kind?: WorkloadKind;
  version: number;
  /** Absent for DaemonSets (they have no replicas); read it through replicasOf. */
  replicas?: ControlReplicas;
  containers: ControlContainer[] | null;
  peakDay: string;
  notes: string[] | null;
  updatedBy: string;
  updatedAt: string;
  deleted: boolean;
}

export interface ControlFilter extends Paging {
  cluster: string;
  namespace?: string;
  /** Only rows of this kind (newer backends; the page also filters in the browser). */
  kind?: WorkloadKind;
  q?: string;
}

export type ContainerField = 'cpuRequest' | 'cpuLimit' | 'memRequest' | 'memLimit';

/** A container's editable values; omitted ones stay as they are, -1 unsets. */
export interface ContainerEdit {
  name: string;
  cpuRequestMillis?: number;
  cpuLimitMillis?: number;
  memRequestMiB?: number;
  memLimitMiB?: number;
  /** Hands these fields back to the derivation (their source becomes `collected`). */
  resetToCollected?: ContainerField[];
}

/** PUT v1/control/{cluster}/{namespace}/{workload}?kind= body. */
export interface ControlUpdate {
  expectedVersion: number;
  /** Never for a DaemonSet. */
  replicasManual?: number;
  containers?: ContainerEdit[];
}

/** POST v1/control body: a new row; replicas.manual ≥ 0 is required except for a DaemonSet (none is sent). */
export interface ControlCreate {
  cluster: string;
  namespace: string;
  workload: string;
  /** Sent only for non-Deployments. */
  kind?: WorkloadKind;
  replicas?: { manual: number };
  containers: Array<Required<Omit<ContainerEdit, 'resetToCollected'>>>;
}

/** One workload; per-workload routes take its kind as `?kind=` (sent only for non-Deployments). */
export interface WorkloadRef {
  cluster: string;
  namespace: string;
  workload: string;
  kind?: WorkloadKind;
}

// ---- Enforcement -------------------------------------------------------------------------

export type ControlMode = 'enforce' | 'observe' | '';
export type UnknownWorkloads = 'deny' | 'warn' | 'allow';

export interface NamespaceItem {
  name: string;
  control: ControlMode;
  unknownWorkloads: UnknownWorkloads;
  /** Where enforcement writes the table: the workload objects, or each Pod at creation (replicas not forced). */
  target?: 'template' | 'pods';
  policies: number;
  workloads: number;
  /** kube-system and the cluster's kubedoorNamespace: never enforced or observed. */
  protected?: boolean;
  notes?: string[] | null;
}

/** GET v1/clusters/{cluster}/namespaces: `warnings` says what could not be counted. */
export interface NamespaceList extends Items<NamespaceItem> {
  warnings?: string[] | null;
}

export interface EnforcementUpdate {
  control: ControlMode;
  /** Omitted leaves the annotation; "" removes it (back to deny). */
  unknownWorkloads?: UnknownWorkloads | '';
}

// ---- Notifications -----------------------------------------------------------------------

export type ChannelKind = 'wecom' | 'dingtalk' | 'feishu' | 'slack' | 'webhook';
export type ChannelEvent =
  'newWorkload' | 'actionDone' | 'actionFailed' | 'scheduleFailed' | 'enforcementChanged' | 'denied';

export interface NotificationChannel {
  id: string;
  cluster: string;
  kind: ChannelKind;
  name: string;
  events: ChannelEvent[];
  enabled: boolean;
  secretSet: boolean;
}

export interface NotificationTestResult {
  ok: boolean;
  status: number;
  error?: string;
}
