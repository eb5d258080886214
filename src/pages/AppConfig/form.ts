// Pure form model of the config page: settings → editable state → validated POST body.
import type { PluginSettingsUpdate } from '../../api/pluginSettings';
import type { AppSettings, ClusterSettings, SecureSettings, StorageMode } from '../../types';

export interface ConfigForm {
  mode: StorageMode;
  dataDir: string;
  address: string;
  database: string;
  username: string;
  chCluster: string;
  tls: boolean;
  /** What the user typed; Grafana never sends the stored password back. */
  password: string;
  /** A password is stored and the user has not reset it. */
  passwordSet: boolean;
  /** The user pressed Reset on a stored password. */
  passwordReset: boolean;
  clusterName: string;
  prometheusUrl: string;
  clusterLabelKey: string;
  clusterLabelValue: string;
  timeZone: string;
}

export type FormErrors = Partial<Record<keyof ConfigForm, string>>;

export const DEFAULT_CLUSTER_NAME = 'default';
export const DEFAULT_DATABASE = 'kubedoor';

export function formFromSettings(jsonData: Partial<AppSettings> | undefined, passwordSet: boolean): ConfigForm {
  const storage = jsonData?.storage;
  const cluster: Partial<ClusterSettings> = jsonData?.clusters?.[0] ?? {};
  return {
    mode: storage?.mode ?? 'embedded',
    dataDir: storage?.dataDir ?? '',
    address: storage?.address ?? '',
    database: storage?.database ?? DEFAULT_DATABASE,
    username: storage?.username ?? '',
    chCluster: storage?.cluster ?? '',
    tls: storage?.tls ?? false,
    password: '',
    passwordSet,
    passwordReset: false,
    clusterName: cluster.name ?? DEFAULT_CLUSTER_NAME,
    prometheusUrl: cluster.prometheusUrl ?? '',
    clusterLabelKey: cluster.clusterLabelKey ?? '',
    clusterLabelValue: cluster.clusterLabelValue ?? '',
    timeZone: cluster.timeZone ?? 'UTC',
  };
}

export function validate(form: ConfigForm): FormErrors {
  const errors: FormErrors = {};
  if (form.mode === 'server') {
    if (!form.address.trim()) {
      errors.address = 'Required in server mode (host:port of the native protocol, e.g. clickhouse:9000)';
    }
    if (!form.database.trim()) {
      errors.database = 'Required in server mode';
    }
  }
  if (!form.clusterName.trim()) {
    errors.clusterName = 'A cluster needs a name';
  }
  if (!isHttpUrl(form.prometheusUrl.trim())) {
    errors.prometheusUrl = 'An http(s) URL, e.g. http://prometheus:9090';
  }
  if (form.clusterLabelValue.trim() && !form.clusterLabelKey.trim()) {
    errors.clusterLabelKey = 'Set the label key too, or clear the value';
  }
  if (!isTimeZone(form.timeZone.trim())) {
    errors.timeZone = 'An IANA time zone name, e.g. Asia/Shanghai or UTC';
  }
  return errors;
}

// Keys this page owns; any other key in storage or the first cluster (added later by the backend
// or other pages) is passed through unchanged.
const STORAGE_KEYS = ['mode', 'dataDir', 'address', 'database', 'username', 'cluster', 'tls'] as const;
const CLUSTER_KEYS = ['name', 'prometheusUrl', 'clusterLabelKey', 'clusterLabelValue', 'timeZone'] as const;

/**
 * Builds the POST body. Other jsonData keys and the clusters after the first are kept as they
 * were: this page edits only storage and the default cluster.
 */
export function toSettingsUpdate(
  form: ConfigForm,
  previous: Record<string, unknown> & Partial<AppSettings>,
  meta: { enabled: boolean; pinned: boolean }
): PluginSettingsUpdate {
  const storage: AppSettings['storage'] = {
    ...without(previous.storage, STORAGE_KEYS),
    ...(form.mode === 'server'
      ? {
          mode: 'server',
          address: form.address.trim(),
          database: form.database.trim(),
          ...optional('username', form.username),
          ...optional('cluster', form.chCluster),
          ...(form.tls ? { tls: true } : {}),
        }
      : { mode: 'embedded', ...optional('dataDir', form.dataDir) }),
  };

  const [firstCluster, ...otherClusters] = previous.clusters ?? [];
  const cluster: ClusterSettings = {
    ...without(firstCluster, CLUSTER_KEYS),
    name: form.clusterName.trim(),
    prometheusUrl: form.prometheusUrl.trim(),
    ...optional('clusterLabelKey', form.clusterLabelKey),
    ...optional('clusterLabelValue', form.clusterLabelValue),
    timeZone: form.timeZone.trim(),
  };

  const update: PluginSettingsUpdate = {
    enabled: meta.enabled,
    pinned: meta.pinned,
    jsonData: { ...previous, storage, clusters: [cluster, ...otherClusters] },
  };
  const secure = secureUpdate(form);
  if (secure) {
    update.secureJsonData = secure;
  }
  return update;
}

function without(obj: object | undefined, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj ?? {}).filter(([key]) => !keys.includes(key)));
}

// Omitted keys keep their stored value. A stored password changes only after Reset;
// Reset with an empty box clears it. Never send an empty one otherwise (it would show as "configured").
function secureUpdate(form: ConfigForm): SecureSettings | undefined {
  if (form.passwordSet) {
    return undefined;
  }
  if (form.password !== '' || form.passwordReset) {
    return { clickhousePassword: form.password };
  }
  return undefined;
}

function optional<K extends string>(key: K, value: string): Partial<Record<K, string>> {
  const trimmed = value.trim();
  return trimmed ? ({ [key]: trimmed } as Record<K, string>) : {};
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isTimeZone(value: string): boolean {
  if (!value) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
