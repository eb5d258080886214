// Settings stored by Grafana for this app (plugin settings jsonData). The Go backend reads the
// same document, so field names here are part of the contract with pkg/.
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

export interface ClusterSettings {
  name: string;
  prometheusUrl: string;
  /** Label that tells clusters apart in a shared Prometheus, e.g. "cluster". */
  clusterLabelKey?: string;
  /** Defaults to `name` (backend) when the key is set. */
  clusterLabelValue?: string;
  /** IANA time zone of the cluster's peak window, e.g. "Asia/Shanghai". */
  timeZone: string;
}

/** What the config page saves. Before the first save Grafana holds `{}`: read it as Partial. */
export interface AppSettings {
  storage: StorageSettings;
  clusters: ClusterSettings[];
}

/** Keys of secureJsonData; Grafana only ever tells the frontend whether each is set. */
export type SecureSettingKey = 'clickhousePassword';

export type SecureSettings = Partial<Record<SecureSettingKey, string>>;

/** GET v1/status */
export interface StoreStatus {
  ok: boolean;
  mode: StorageMode;
  message: string;
  schemaVersion: number;
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
