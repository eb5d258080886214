// Pure form model of the config page: Grafana's plugin settings → editable state → validated
// POST body. Validation mirrors pkg/settings (settings.go) rule for rule and names fields with the
// same paths (`clusters[0].prometheusUrl`), because Grafana stores whatever is posted and the
// backend would only refuse it later, when it builds an app instance.
import type { PluginSettingsUpdate } from '../../api/pluginSettings';
import type { ChannelEvent, ChannelKind, KubeAccess } from '../../api/types';
import { isTimeZone } from '../../components/zonedTime';
import {
  type AppSettings,
  type ChannelSettings,
  CLICKHOUSE_PASSWORD_KEY,
  CLUSTER_SECRET_KEYS,
  type ClusterConnection,
  type ClusterSecretKey,
  type SecureSettings,
  type StorageMode,
  channelSecretKey,
  clusterSecretKey,
} from '../../types';

/** A secure value: what was typed, whether one is stored, whether the user reset the stored one. */
export interface Secret {
  value: string;
  set: boolean;
  reset: boolean;
}

export interface ClusterForm {
  /** The name the cluster is stored under ('' for a new one); its secrets are keyed by it. */
  storedName: string;
  name: string;
  prometheusUrl: string;
  prometheusUsername: string;
  prometheusTlsSkipVerify: boolean;
  clusterLabelKey: string;
  clusterLabelValue: string;
  timeZone: string;
  kubeAccess: KubeAccess;
  kubedoorNamespace: string;
  secrets: Record<ClusterSecretKey, Secret>;
  /** Keys this page does not edit (added by newer backends or by hand), passed through. */
  extra: Record<string, unknown>;
}

export interface ChannelForm {
  storedId: string;
  id: string;
  name: string;
  kind: ChannelKind;
  cluster: string;
  events: ChannelEvent[];
  enabled: boolean;
  secret: Secret;
  extra: Record<string, unknown>;
}

export interface ConfigForm {
  mode: StorageMode;
  dataDir: string;
  address: string;
  database: string;
  username: string;
  chCluster: string;
  tls: boolean;
  password: Secret;
  /** "" = the backend's default (300). */
  publishIntervalSeconds: string;
  clusters: ClusterForm[];
  channels: ChannelForm[];
}

/** Errors keyed by the settings path, e.g. `storage.address`, `clusters[1].timeZone`. */
export type FormErrors = Record<string, string>;

export const DEFAULT_DATABASE = 'kubedoor';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['wecom', 'dingtalk', 'feishu', 'slack', 'webhook'];
export const CHANNEL_EVENTS: readonly ChannelEvent[] = [
  'newWorkload',
  'actionDone',
  'actionFailed',
  'scheduleFailed',
  'enforcementChanged',
  'denied',
];

const STORAGE_KEYS = ['mode', 'dataDir', 'address', 'database', 'username', 'cluster', 'tls'];
const CLUSTER_KEYS = [
  'name',
  'prometheusUrl',
  'prometheusUsername',
  'prometheusTlsSkipVerify',
  'clusterLabelKey',
  'clusterLabelValue',
  'timeZone',
  'kubeAccess',
  'kubedoorNamespace',
];
const CHANNEL_KEYS = ['id', 'cluster', 'kind', 'name', 'events', 'enabled'];

const secret = (set: boolean): Secret => ({ value: '', set, reset: false });

export function newCluster(name = ''): ClusterForm {
  return {
    storedName: '',
    name,
    prometheusUrl: '',
    prometheusUsername: '',
    prometheusTlsSkipVerify: false,
    clusterLabelKey: '',
    clusterLabelValue: '',
    timeZone: 'UTC',
    kubeAccess: '',
    kubedoorNamespace: '',
    secrets: { prometheusPassword: secret(false), prometheusToken: secret(false), kubeconfig: secret(false) },
    extra: {},
  };
}

export function newChannel(id = ''): ChannelForm {
  return {
    storedId: '',
    id,
    name: '',
    kind: 'webhook',
    cluster: '',
    events: ['actionFailed', 'scheduleFailed', 'newWorkload'],
    enabled: true,
    secret: secret(false),
    extra: {},
  };
}

/** `secureJsonFields` from Grafana: which secure keys hold a value. */
export type SecureFields = Record<string, boolean | undefined>;

export function formFromSettings(jsonData: Partial<AppSettings> | undefined, fields: SecureFields = {}): ConfigForm {
  const storage = jsonData?.storage;
  const clusters = Array.isArray(jsonData?.clusters) ? jsonData.clusters : [];
  const channels = Array.isArray(jsonData?.notifications) ? jsonData.notifications : [];
  return {
    mode: storage?.mode === 'server' ? 'server' : 'embedded',
    dataDir: storage?.dataDir ?? '',
    address: storage?.address ?? '',
    database: storage?.database ?? DEFAULT_DATABASE,
    username: storage?.username ?? '',
    chCluster: storage?.cluster ?? '',
    tls: storage?.tls ?? false,
    password: secret(Boolean(fields[CLICKHOUSE_PASSWORD_KEY])),
    publishIntervalSeconds:
      typeof jsonData?.publishIntervalSeconds === 'number' ? String(jsonData.publishIntervalSeconds) : '',
    clusters: clusters.map((c) => clusterForm(c, fields)),
    channels: channels.map((ch) => channelForm(ch, fields)),
  };
}

function clusterForm(c: ClusterConnection, fields: SecureFields): ClusterForm {
  const secrets = {} as Record<ClusterSecretKey, Secret>;
  for (const key of CLUSTER_SECRET_KEYS) {
    secrets[key] = secret(Boolean(fields[clusterSecretKey(c.name, key)]));
  }
  return {
    storedName: c.name,
    name: c.name ?? '',
    prometheusUrl: c.prometheusUrl ?? '',
    prometheusUsername: c.prometheusUsername ?? '',
    prometheusTlsSkipVerify: Boolean(c.prometheusTlsSkipVerify),
    clusterLabelKey: c.clusterLabelKey ?? '',
    clusterLabelValue: c.clusterLabelValue ?? '',
    timeZone: c.timeZone ?? 'UTC',
    kubeAccess: c.kubeAccess ?? '',
    kubedoorNamespace: c.kubedoorNamespace ?? '',
    secrets,
    extra: without(c, CLUSTER_KEYS),
  };
}

function channelForm(ch: ChannelSettings, fields: SecureFields): ChannelForm {
  return {
    storedId: ch.id,
    id: ch.id ?? '',
    name: ch.name ?? '',
    kind: ch.kind,
    cluster: ch.cluster ?? '',
    events: Array.isArray(ch.events) ? ch.events : [],
    enabled: Boolean(ch.enabled),
    secret: secret(Boolean(fields[channelSecretKey(ch.id)])),
    extra: without(ch, CHANNEL_KEYS),
  };
}

// The same patterns as pkg/settings/settings.go.
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROM_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CHANNEL_ID = /^[A-Za-z0-9_-]{1,63}$/;

/** Whether a secret will have a value after saving. */
export function willHaveSecret(s: Secret): boolean {
  return s.value !== '' || (s.set && !s.reset);
}

export function validate(form: ConfigForm): FormErrors {
  const e: FormErrors = {};
  if (form.mode === 'server') {
    const address = form.address.trim();
    if (!address) {
      e['storage.address'] = 'Required in server mode (host:port of the native protocol, e.g. clickhouse:9000)';
    } else if (!address.includes(':')) {
      e['storage.address'] = 'Must be host:port, e.g. clickhouse:9000';
    }
    if (!IDENTIFIER.test(form.database.trim())) {
      e['storage.database'] = 'A plain identifier (letters, digits, underscore)';
    }
    if (form.chCluster.trim() && !IDENTIFIER.test(form.chCluster.trim())) {
      e['storage.cluster'] = 'A plain identifier (letters, digits, underscore)';
    }
  }
  const interval = form.publishIntervalSeconds.trim();
  if (interval && !(/^\d+$/.test(interval) && Number(interval) >= 30 && Number(interval) <= 86400)) {
    e.publishIntervalSeconds = 'From 30 to 86400 seconds, or empty for 300';
  }
  const names = new Set<string>();
  form.clusters.forEach((c, i) => {
    const p = `clusters[${i}]`;
    const name = c.name.trim();
    if (!CLUSTER_NAME.test(name)) {
      e[`${p}.name`] = "1-63 lower-case letters, digits or '-', starting and ending with a letter or digit";
    } else if (names.has(name)) {
      e[`${p}.name`] = `Another cluster is named "${name}"`;
    }
    names.add(name);
    if (!isHttpUrl(c.prometheusUrl.trim())) {
      e[`${p}.prometheusUrl`] = 'An http(s) URL such as http://prometheus:9090';
    }
    if (c.clusterLabelKey.trim() && !PROM_LABEL.test(c.clusterLabelKey.trim())) {
      e[`${p}.clusterLabelKey`] = 'A valid Prometheus label name';
    }
    if (c.clusterLabelValue.trim() && !c.clusterLabelKey.trim()) {
      e[`${p}.clusterLabelKey`] = 'Set the label key too, or clear the value';
    }
    if (!isTimeZone(c.timeZone.trim() || 'UTC')) {
      e[`${p}.timeZone`] = 'An IANA time zone name, e.g. Asia/Shanghai or UTC';
    }
    if (c.kubedoorNamespace.trim() && !CLUSTER_NAME.test(c.kubedoorNamespace.trim())) {
      e[`${p}.kubedoorNamespace`] = "A namespace name: 1-63 lower-case letters, digits or '-'";
    }
    if (c.kubeAccess === 'kubeconfig' && !willHaveSecret(c.secrets.kubeconfig)) {
      e[`${p}.kubeconfig`] = 'Paste the kubeconfig the backend uses for this cluster';
    }
    const renamed = c.storedName !== '' && name !== c.storedName;
    for (const key of CLUSTER_SECRET_KEYS) {
      const s = c.secrets[key];
      if (renamed && s.set && !s.reset && s.value === '') {
        e[`${p}.${key}`] = 'Secrets are stored under the cluster name: enter this one again, or reset it';
      }
    }
  });
  const ids = new Set<string>();
  form.channels.forEach((ch, i) => {
    const p = `notifications[${i}]`;
    const id = ch.id.trim();
    if (!CHANNEL_ID.test(id)) {
      e[`${p}.id`] = "1-63 letters, digits, '-' or '_'";
    } else if (ids.has(id)) {
      e[`${p}.id`] = `Another channel has the id "${id}"`;
    }
    ids.add(id);
    if (!CHANNEL_KINDS.includes(ch.kind)) {
      e[`${p}.kind`] = 'One of wecom, dingtalk, feishu, slack, webhook';
    }
    if (ch.cluster && !names.has(ch.cluster)) {
      e[`${p}.cluster`] = `No cluster named "${ch.cluster}"`;
    }
    if (!willHaveSecret(ch.secret)) {
      e[`${p}.secret`] = 'The webhook URL (or bot key) to send to';
    }
    if (ch.events.length === 0) {
      e[`${p}.events`] = 'Pick at least one event';
    }
    const renamed = ch.storedId !== '' && id !== ch.storedId;
    if (renamed && ch.secret.set && !ch.secret.reset && ch.secret.value === '') {
      e[`${p}.secret`] = 'The URL is stored under the channel id: enter it again';
    }
  });
  return e;
}

/**
 * The POST body. Keys of jsonData this page does not edit are kept as they were. Secrets: an
 * untouched stored value is omitted (Grafana keeps it); a typed one is sent under the current
 * name; a reset one, or one of a removed or renamed cluster/channel, is cleared with "".
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

  const clusters: ClusterConnection[] = form.clusters.map((c) => ({
    ...c.extra,
    name: c.name.trim(),
    prometheusUrl: c.prometheusUrl.trim(),
    ...optional('prometheusUsername', c.prometheusUsername),
    ...(c.prometheusTlsSkipVerify ? { prometheusTlsSkipVerify: true } : {}),
    ...optional('clusterLabelKey', c.clusterLabelKey),
    ...optional('clusterLabelValue', c.clusterLabelValue),
    timeZone: c.timeZone.trim() || 'UTC',
    ...(c.kubeAccess ? { kubeAccess: c.kubeAccess } : {}),
    ...optional('kubedoorNamespace', c.kubedoorNamespace),
  }));

  const jsonData: PluginSettingsUpdate['jsonData'] = {
    ...without(previous, ['publishIntervalSeconds']),
    storage,
    clusters,
  };
  if (form.publishIntervalSeconds.trim()) {
    jsonData.publishIntervalSeconds = Number(form.publishIntervalSeconds.trim());
  }
  if (form.channels.length > 0 || previous.notifications !== undefined) {
    jsonData.notifications = form.channels.map((ch) => ({
      ...ch.extra,
      id: ch.id.trim(),
      ...(ch.cluster ? { cluster: ch.cluster } : {}),
      kind: ch.kind,
      name: ch.name.trim(),
      events: [...ch.events],
      enabled: ch.enabled,
    }));
  }

  const secure: SecureSettings = {};
  putSecret(secure, CLICKHOUSE_PASSWORD_KEY, undefined, form.password);
  const keptClusters = new Set(form.clusters.map((c) => c.storedName).filter(Boolean));
  for (const c of form.clusters) {
    for (const key of CLUSTER_SECRET_KEYS) {
      putSecret(
        secure,
        clusterSecretKey(c.name.trim(), key),
        c.storedName ? clusterSecretKey(c.storedName, key) : undefined,
        c.secrets[key]
      );
    }
  }
  for (const c of previous.clusters ?? []) {
    if (c?.name && !keptClusters.has(c.name)) {
      for (const key of CLUSTER_SECRET_KEYS) {
        // A new cluster may reuse the name and bring its own value.
        secure[clusterSecretKey(c.name, key)] ??= '';
      }
    }
  }
  const keptChannels = new Set(form.channels.map((ch) => ch.storedId).filter(Boolean));
  for (const ch of form.channels) {
    putSecret(
      secure,
      channelSecretKey(ch.id.trim()),
      ch.storedId ? channelSecretKey(ch.storedId) : undefined,
      ch.secret
    );
  }
  for (const ch of previous.notifications ?? []) {
    if (ch?.id && !keptChannels.has(ch.id)) {
      secure[channelSecretKey(ch.id)] ??= '';
    }
  }

  const update: PluginSettingsUpdate = { enabled: meta.enabled, pinned: meta.pinned, jsonData };
  if (Object.keys(secure).length > 0) {
    update.secureJsonData = secure;
  }
  return update;
}

// `storedKey` is where the value lives now; `key` where it must live after saving.
function putSecret(out: SecureSettings, key: string, storedKey: string | undefined, s: Secret) {
  const moved = storedKey !== undefined && storedKey !== key;
  if (s.value !== '') {
    out[key] = s.value;
  } else if (s.reset && s.set) {
    out[key] = '';
  }
  if (moved && s.set) {
    out[storedKey] = '';
  }
}

function without(obj: object | undefined | null, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj ?? {}).filter(([key]) => !keys.includes(key)));
}

function optional<K extends string>(key: K, value: string): Partial<Record<K, string>> {
  const trimmed = value.trim();
  return trimmed ? ({ [key]: trimmed } as Record<K, string>) : {};
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}
