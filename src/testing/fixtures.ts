// Typed fakes of the backend's answers (docs/api.md shapes); tests override what they care about.
import type {
  AuditEntry,
  ClusterHealth,
  ClusterSettings,
  ControlRow,
  GitopsConfig,
  Job,
  Me,
  NamespaceItem,
  PeakRow,
  PublishStatus,
  Run,
  Schedule,
} from '../api/types';
import type { AppContextValue } from '../components/AppContext';

export const VIEWER: Me = { login: 'vera', role: 'Viewer', canRead: true, canWrite: false, canAdmin: false };
export const EDITOR: Me = { login: 'ed', role: 'Editor', canRead: true, canWrite: true, canAdmin: false };
export const ADMIN: Me = { login: 'ada', role: 'Admin', canRead: true, canWrite: true, canAdmin: true };

export function context(me: Me | undefined, clusters = ['prod-a'], timeZone = 'Asia/Shanghai'): AppContextValue {
  return { me, clusters: clusters.map((name) => ({ name, prometheusUrl: `http://${name}-prom:9090`, timeZone })) };
}

export function controlRow(over: Partial<ControlRow> = {}): ControlRow {
  return {
    cluster: 'prod-a',
    namespace: 'shop',
    workload: 'checkout',
    version: 4,
    replicas: { manual: -1, recommended: -1, observed: 3, observedFrom: 'desired', effective: 3, source: 'observed' },
    containers: [
      {
        name: 'app',
        cpuRequestMillis: 350,
        cpuLimitMillis: 2000,
        memRequestMiB: 420,
        memLimitMiB: 2048,
        sources: { cpuRequest: 'collected', cpuLimit: 'collected', memRequest: 'collected', memLimit: 'manual' },
      },
    ],
    peakDay: '2026-11-20',
    notes: [],
    updatedBy: 'collector',
    updatedAt: '2026-11-21T01:00:00Z',
    deleted: false,
    ...over,
  };
}

export function peakRow(over: Partial<PeakRow> = {}): PeakRow {
  return {
    cluster: 'prod-a',
    namespace: 'shop',
    workload: 'checkout',
    container: 'app',
    day: '2026-11-21',
    windowStart: '2026-11-21T02:00:00Z',
    windowEnd: '2026-11-21T03:30:00Z',
    podsMin: 3,
    podsMax: 4,
    cpuMax: 0.35,
    cpuAvg: 0.3,
    memMax: 420 * 1024 * 1024,
    memAvg: 400 * 1024 * 1024,
    cpuRequest: 0.5,
    cpuLimit: 2,
    memRequest: 512 * 1024 * 1024,
    memLimit: 2048 * 1024 * 1024,
    cpuPctOfLimit: 17.5,
    memPctOfLimit: 20.5,
    throttlingRatio: 0.01,
    oomKills: 0,
    quantile: 0.95,
    collectedAt: '2026-11-22T01:00:05Z',
    ...over,
  };
}

export function job(over: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    cluster: 'prod-a',
    kind: 'backfill',
    state: 'running',
    firstDay: '2026-11-12',
    lastDay: '2026-11-21',
    daysTotal: 10,
    daysDone: 4,
    workloads: 120,
    errorCount: 0,
    errors: [],
    kept: [],
    unavailable: [],
    startedBy: 'ed',
    startedAt: '2026-11-22T08:00:00Z',
    finishedAt: null,
    ...over,
  };
}

export function clusterSettings(over: Partial<ClusterSettings> = {}): ClusterSettings {
  return {
    cluster: 'prod-a',
    timeZone: 'Asia/Shanghai',
    peakWindow: { start: '10:00', end: '11:30' },
    overrides: [],
    quantile: 0.95,
    days: 10,
    mode: 'per-workload',
    headroom: 0,
    cpuFloorMillis: 10,
    memFloorMiB: 1,
    minReplicas: 1,
    oomBump: true,
    retentionDays: 400,
    collect: { enabled: true, at: '01:00', minFoundRatio: 0.5 },
    version: 3,
    updatedBy: 'ada',
    updatedAt: '2026-11-20T09:00:00Z',
    ...over,
  };
}

export function namespaceItem(over: Partial<NamespaceItem> = {}): NamespaceItem {
  return { name: 'shop', control: 'observe', unknownWorkloads: 'deny', policies: 12, workloads: 13, ...over };
}

/** The GitOps blocks for one Deployment shop/api with an app container at position 0. */
export function gitopsConfig(over: Partial<GitopsConfig> = {}): GitopsConfig {
  const jq = ['.spec.replicas', '.spec.template.spec.containers[] | select(.name == "app") | .resources'];
  const paths = ['/spec/replicas', '/spec/template/spec/containers/0/resources'];
  return {
    cluster: 'prod-a',
    workloads: 1,
    argoCD: {
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'api', jqPathExpressions: jq }],
      syncOptions: ['RespectIgnoreDifferences=true'],
      yaml: `spec:\n  ignoreDifferences:\n  - group: apps\n    jqPathExpressions:\n${jq.map((e) => `    - ${e}\n`).join('')}    kind: Deployment\n    name: api\n    namespace: shop\n  syncPolicy:\n    syncOptions:\n    - RespectIgnoreDifferences=true\n`,
    },
    flux: {
      driftIgnoreRules: [{ paths, target: { group: 'apps', kind: 'Deployment', namespace: '^shop$', name: '^api$' } }],
      yaml: `spec:\n  driftIgnoreRules:\n  - paths:\n${paths.map((p) => `    - ${p}\n`).join('')}    target:\n      group: apps\n      kind: Deployment\n      name: ^api$\n      namespace: ^shop$\n`,
    },
    notes: [],
    ...over,
  };
}

export function health(over: Partial<ClusterHealth> = {}): ClusterHealth {
  return {
    kubernetes: { ok: true, message: '', version: 'v1.34.4' },
    prometheus: { ok: true, message: '' },
    webhook: { installed: true, ready: true, message: '2/2 replicas ready' },
    lastCollection: job({
      state: 'succeeded',
      daysDone: 1,
      daysTotal: 1,
      kind: 'daily',
      finishedAt: '2026-11-22T01:03:00Z',
    }),
    lastPublish: publishStatus(),
    schedules: { state: 'held', lease: 'kubedoor/kubedoor-schedules', holder: 'grafana-0_7_a1b2c3' },
    ...over,
  };
}

export function publishStatus(over: Partial<PublishStatus> = {}): PublishStatus {
  return {
    at: '2026-11-22T09:00:00Z',
    trigger: 'periodic',
    runs: 3,
    errors: 0,
    result: {
      cluster: 'prod-a',
      created: 0,
      updated: 1,
      deleted: 0,
      unchanged: 136,
      statusOnly: 0,
      failed: 0,
      writes: 2,
      tookMs: 120,
    },
    ...over,
  };
}

export function schedule(over: Partial<Schedule> = {}): Schedule {
  return {
    id: 'sch-1',
    cluster: 'prod-a',
    name: 'Scale up for the sale',
    action: 'scale',
    kind: 'once',
    runAt: '2026-11-23T02:00:00Z',
    cron: '',
    timeZone: 'Asia/Shanghai',
    items: [{ namespace: 'shop', workload: 'checkout', replicas: 10 }],
    temporary: false,
    intervalSeconds: 0,
    enabled: true,
    nextRunAt: '2026-11-23T02:00:00Z',
    version: 1,
    createdBy: 'ed',
    createdAt: '2026-11-22T08:00:00Z',
    updatedBy: 'ed',
    updatedAt: '2026-11-22T08:00:00Z',
    ...over,
  };
}

export function run(over: Partial<Run> = {}): Run {
  return {
    id: 'run-1',
    scheduleId: 'sch-1',
    scheduledFor: '2026-11-22T01:00:00Z',
    startedAt: '2026-11-22T01:00:00Z',
    finishedAt: '2026-11-22T01:00:03Z',
    status: 'succeeded',
    error: '',
    results: [{ cluster: 'prod-a', namespace: 'shop', workload: 'checkout', ok: true }],
    ...over,
  };
}

export function auditEntry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 'a1',
    at: '2026-11-22T08:30:00Z',
    user: 'ed',
    role: 'Editor',
    action: 'edit control row',
    cluster: 'prod-a',
    target: 'control/prod-a/shop/checkout',
    before: { replicasManual: -1 },
    after: { replicasManual: 5 },
    result: 'ok',
    error: '',
    ...over,
  };
}
