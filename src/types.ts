// Settings stored by Grafana for this app (plugin settings jsonData + secureJsonData). The Go
// backend reads the same document (pkg/settings/settings.go), so field names here are part of the
// contract with pkg/ and must match its json tags exactly.
import type { ChannelEvent, ChannelKind, KubeAccess } from './api/types';

export type StorageMode = 'embedded' | 'server';

export interface StorageSettings {
  mode: StorageMode;
  /** embedded: the chDB data directory (backend default when empty). */
  dataDir?: string;
  /** server: host:port of the ClickHouse native protocol. */
  address?: string;
  database?: string;
  username?: string;
  /** server: ClickHouse cluster name; when set the schema uses ReplicatedMergeTree + ON CLUSTER. */
  cluster?: string;
  /** server: connect with TLS. */
  tls?: boolean;
}

/** One Kubernetes cluster and the Prometheus that watches it (settings.Cluster). */
export interface ClusterConnection {
  name: string;
  prometheusUrl: string;
  /** Basic auth user; the password is the secure `clusters.<name>.prometheusPassword`. */
  prometheusUsername?: string;
  prometheusTlsSkipVerify?: boolean;
  /** Label that tells clusters apart in a shared Prometheus, e.g. "cluster". */
  clusterLabelKey?: string;
  /** Defaults to `name` (backend) when the key is set. */
  clusterLabelValue?: string;
  /** IANA time zone of the cluster's peak window, e.g. "Asia/Shanghai"; backend default UTC. */
  timeZone?: string;
  /** How the backend reaches the cluster's API; "" or absent = not at all (peak data only). */
  kubeAccess?: KubeAccess;
  /** Where kubedoor-webhook and the schedule lease live (backend default "kubedoor"). */
  kubedoorNamespace?: string;
}

/** A notification channel (settings.Channel); its URL/token is secure `notifications.<id>`. */
export interface ChannelSettings {
  id: string;
  /** "" or absent = every cluster. */
  cluster?: string;
  kind: ChannelKind;
  name: string;
  events: ChannelEvent[];
  enabled: boolean;
}

/** What the config page saves. Before the first save Grafana holds `{}`: read it as Partial. */
export interface AppSettings {
  storage: StorageSettings;
  clusters: ClusterConnection[];
  notifications?: ChannelSettings[];
  /** How often every cluster's CapacityPolicies are reconciled (backend default 300, 30..86400). */
  publishIntervalSeconds?: number;
}

/** Secrets of one cluster, stored as secureJsonData["clusters.<name>.<key>"]. */
export type ClusterSecretKey = 'prometheusPassword' | 'prometheusToken' | 'kubeconfig';

export const CLUSTER_SECRET_KEYS: readonly ClusterSecretKey[] = ['prometheusPassword', 'prometheusToken', 'kubeconfig'];

export const CLICKHOUSE_PASSWORD_KEY = 'clickhousePassword';

export function clusterSecretKey(cluster: string, key: ClusterSecretKey): string {
  return `clusters.${cluster}.${key}`;
}

export function channelSecretKey(id: string): string {
  return `notifications.${id}`;
}

/**
 * Keys of secureJsonData: `clickhousePassword`, `clusters.<name>.<key>`, `notifications.<id>`.
 * Grafana only ever tells the frontend whether each is set.
 */
export type SecureSettings = Record<string, string>;

/** The ClickHouse serving the open store; `library` (the libchdb.so loaded) only for Admins. */
export interface StoreEngine {
  version: string;
  library?: string;
}

/** Why the store did not open, when docs/troubleshooting.md has a section for it. */
export type StoreProblem = 'engine-not-found' | 'engine-load' | 'data-dir';

/** GET v1/status */
export interface StoreStatus {
  ok: boolean;
  mode: StorageMode;
  message: string;
  schemaVersion: number;
  engine?: StoreEngine;
  problem?: StoreProblem;
}

export interface PrometheusStatus {
  cluster: string;
  ok: boolean;
  message: string;
}

export interface StatusResponse {
  store: StoreStatus;
  /** Go encodes an empty slice as null; treat null as "no clusters". */
  prometheus: PrometheusStatus[] | null;
  version: string;
}
