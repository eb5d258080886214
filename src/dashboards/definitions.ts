// The five provisioned dashboards. Panel layouts follow KubeDoor's peak dashboard (global totals,
// TOP10s, namespace share, one workload with per-pod curves), read through the app's datasource.
import { DASHBOARDS, PLUGIN_BASE_URL } from '../constants';
import {
  annotation,
  dashboard,
  type Dashboard,
  kindVariable,
  pie,
  prometheusVariable,
  promTimeseries,
  queryVariable,
  resetIds,
  row,
  stat,
  table,
  timeseries,
} from './builders';

const CORES = 'suffix: cores';
const clusterVar = () => queryVariable('cluster', 'Cluster', 'clusters');
const namespaceVar = (all: boolean) => queryVariable('namespace', 'Namespace', 'namespaces($cluster)', { all });
const workloadLink = {
  title: 'Workload peaks',
  url: `/d/${DASHBOARDS.workload}?var-cluster=\${cluster}&var-namespace=\${__data.fields.Namespace}&var-kind=\${__data.fields.Kind}&var-workload=\${__value.raw}&\${__url_time_range}`,
};

function cluster(): Dashboard {
  resetIds();
  const totals = { queryType: 'totals' as const, cluster: '$cluster', namespace: '$namespace', kind: '$kind' };
  return dashboard({
    uid: DASHBOARDS.cluster,
    title: 'KubeDoor · Cluster peak totals',
    description:
      "Daily peak-window totals of a cluster (or one namespace): sum over workloads of pods × each pod's P95 usage, against the requests and limits they hold.",
    variables: [clusterVar(), namespaceVar(true), kindVariable({ all: true })],
    appLinks: [
      { title: 'Control table', page: 'control?cluster=${cluster}', icon: 'bolt' },
      { title: 'Peak data', page: 'peaks?cluster=${cluster}', icon: 'table' },
    ],
    panels: [
      stat({
        title: 'Pods at the last peak',
        gridPos: { h: 4, w: 4, x: 0, y: 0 },
        targets: [totals],
        field: 'Pods',
        unit: 'short',
      }),
      stat({
        title: 'CPU used',
        gridPos: { h: 4, w: 5, x: 4, y: 0 },
        targets: [totals],
        field: 'CPU usage',
        unit: CORES,
      }),
      stat({
        title: 'CPU requested',
        gridPos: { h: 4, w: 5, x: 9, y: 0 },
        targets: [totals],
        field: 'CPU request',
        unit: CORES,
      }),
      stat({
        title: 'Memory used',
        gridPos: { h: 4, w: 5, x: 14, y: 0 },
        targets: [totals],
        field: 'Memory usage',
        unit: 'bytes',
      }),
      stat({
        title: 'Memory requested',
        gridPos: { h: 4, w: 5, x: 19, y: 0 },
        targets: [totals],
        field: 'Memory request',
        unit: 'bytes',
      }),
      timeseries({
        title: 'CPU at the daily peak: usage vs request vs limit',
        gridPos: { h: 9, w: 12, x: 0, y: 4 },
        targets: [totals],
        fields: ['CPU usage', 'CPU request', 'CPU limit'],
        unit: CORES,
      }),
      timeseries({
        title: 'Memory at the daily peak: usage vs request vs limit',
        gridPos: { h: 9, w: 12, x: 12, y: 4 },
        targets: [totals],
        fields: ['Memory usage', 'Memory request', 'Memory limit'],
        unit: 'bytes',
      }),
      timeseries({
        title: 'Pods at the daily peak',
        gridPos: { h: 7, w: 24, x: 0, y: 13 },
        targets: [totals],
        fields: ['Pods'],
        unit: 'short',
        bars: true,
      }),
    ],
  });
}

function top(): Dashboard {
  resetIds();
  const ranking = (
    by: 'cpu' | 'memory' | 'cpuPct' | 'memPct' | 'pods',
    title: string,
    column: string,
    x: number,
    y: number,
    w = 12
  ) =>
    table({
      title,
      gridPos: { h: 10, w, x, y },
      targets: [{ queryType: 'top', cluster: '$cluster', kind: '$kind', by, limit: 10 }],
      gauge: [column],
      columnLinks: { Workload: workloadLink },
    });
  return dashboard({
    uid: DASHBOARDS.top,
    title: 'KubeDoor · TOP10 workloads',
    description: "Each workload's worst day in the range, ranked: the workloads that matter most for capacity.",
    variables: [clusterVar(), kindVariable({ all: true })],
    appLinks: [{ title: 'Control table', page: 'control?cluster=${cluster}', icon: 'bolt' }],
    panels: [
      ranking('cpu', 'TOP10 by CPU P95 (worst pod)', 'CPU P95', 0, 0),
      ranking('memory', 'TOP10 by memory P95 (worst pod)', 'Memory P95', 12, 0),
      ranking('cpuPct', 'TOP10 by CPU % of limit', 'CPU % of limit', 0, 10),
      ranking('memPct', 'TOP10 by memory % of limit', 'Memory % of limit', 12, 10),
      ranking('pods', 'TOP10 by pods', 'Pods', 0, 20, 24),
    ],
  });
}

function namespaces(): Dashboard {
  resetIds();
  const q = { queryType: 'namespaces' as const, cluster: '$cluster', kind: '$kind' };
  return dashboard({
    uid: DASHBOARDS.namespaces,
    title: 'KubeDoor · Namespace share',
    description: "Each namespace's peak usage and requests, and its share of the whole cluster.",
    variables: [clusterVar(), kindVariable({ all: true })],
    appLinks: [{ title: 'Clusters & settings', page: 'clusters?cluster=${cluster}', icon: 'cog' }],
    panels: [
      pie({
        title: 'Share of CPU used at the peak',
        gridPos: { h: 10, w: 12, x: 0, y: 0 },
        targets: [q],
        field: 'CPU usage',
        labelField: 'Namespace',
        unit: CORES,
      }),
      pie({
        title: 'Share of memory used at the peak',
        gridPos: { h: 10, w: 12, x: 12, y: 0 },
        targets: [q],
        field: 'Memory usage',
        labelField: 'Namespace',
        unit: 'bytes',
      }),
      table({
        title: 'Namespaces',
        gridPos: { h: 12, w: 24, x: 0, y: 10 },
        targets: [q],
        gauge: ['CPU share', 'Memory share'],
        sortBy: 'CPU share',
        columnLinks: {
          Namespace: {
            title: 'Namespace totals',
            url: `/d/${DASHBOARDS.cluster}?var-cluster=\${cluster}&var-namespace=\${__value.raw}&\${kind:queryparam}&\${__url_time_range}`,
          },
        },
      }),
    ],
  });
}

function workload(): Dashboard {
  resetIds();
  const series = {
    queryType: 'series' as const,
    cluster: '$cluster',
    namespace: '$namespace',
    workload: '$workload',
    kind: '$kind',
    container: '$container',
  };
  return dashboard({
    uid: DASHBOARDS.workload,
    title: 'KubeDoor · Workload peaks',
    description:
      'One workload day by day: each pod\'s P95 at the peak (worst pod and average pod) against the per-pod request and limit, and its pods. Container "All" is the pod total (all containers summed).',
    variables: [
      clusterVar(),
      namespaceVar(false),
      kindVariable({ all: false }),
      queryVariable('workload', 'Workload', 'workloads($cluster, $namespace, $kind)'),
      queryVariable('container', 'Container (All = pod total)', 'containers($cluster, $namespace, $workload, $kind)', {
        all: true,
      }),
    ],
    appLinks: [
      {
        title: 'Edit in the control table',
        page: 'control?cluster=${cluster}&namespace=${namespace}&kind=${kind}&q=${workload}',
        icon: 'pen',
      },
      {
        title: 'Peak rows',
        page: 'peaks?view=workload&cluster=${cluster}&namespace=${namespace}&kind=${kind}&workload=${workload}',
        icon: 'table',
      },
    ],
    dashboardLinks: [
      {
        title: 'Live now (Prometheus)',
        url: `/d/${DASHBOARDS.live}?var-cluster=\${cluster}&var-namespace=\${namespace}&var-kind=\${kind}&var-workload=\${workload}`,
      },
    ],
    panels: [
      row('Per pod at the daily peak', 0),
      timeseries({
        title: 'CPU per pod: P95 vs request vs limit',
        gridPos: { h: 9, w: 12, x: 0, y: 1 },
        targets: [series],
        fields: ['CPU P95 (worst pod)', 'CPU P95 (average pod)', 'CPU request', 'CPU limit'],
        unit: CORES,
      }),
      timeseries({
        title: 'Memory per pod: P95 working set vs request vs limit',
        gridPos: { h: 9, w: 12, x: 12, y: 1 },
        targets: [series],
        fields: ['Memory P95 (worst pod)', 'Memory P95 (average pod)', 'Memory request', 'Memory limit'],
        unit: 'bytes',
      }),
      timeseries({
        title: 'Pods (min and max Ready in the window)',
        gridPos: { h: 7, w: 8, x: 0, y: 10 },
        targets: [series],
        fields: ['Pods (min)', 'Pods (max)'],
        unit: 'short',
      }),
      timeseries({
        title: 'Share of the limit used',
        gridPos: { h: 7, w: 8, x: 8, y: 10 },
        targets: [series],
        fields: ['CPU % of limit', 'Memory % of limit'],
        unit: 'percent',
      }),
      timeseries({
        title: 'CPU throttling and OOM kills',
        gridPos: { h: 7, w: 8, x: 16, y: 10 },
        targets: [series],
        fields: ['Throttled', 'OOM kills'],
        bars: true,
      }),
      row('Daily rows', 17),
      table({
        title: 'Peak rows of this workload (every container)',
        gridPos: { h: 10, w: 24, x: 0, y: 18 },
        targets: [
          {
            queryType: 'peaks',
            cluster: '$cluster',
            namespace: '$namespace',
            workload: '$workload',
            kind: '$kind',
            limit: 1000,
          },
        ],
        gauge: ['CPU used of request', 'Memory used of request'],
      }),
    ],
  });
}

function savings(): Dashboard {
  resetIds();
  const scope = { cluster: '$cluster', namespace: '$namespace', kind: '$kind' };
  const totals = { queryType: 'savings' as const, ...scope };
  const money = (title: string, field: string, x: number, w: number, description?: string) =>
    stat({ title, description, gridPos: { h: 5, w, x, y: 0 }, targets: [totals], field, time: false });
  return dashboard({
    uid: DASHBOARDS.savings,
    title: 'KubeDoor · Savings & risk',
    description:
      "Monthly price of the requests now, as the control table sets them and as recommended (the cluster's prices), which workloads waste most and how risky cutting them is. The time range is the peak history the score and risk read.",
    variables: [clusterVar(), namespaceVar(true), kindVariable({ all: true })],
    appLinks: [
      { title: 'Recommendations', page: 'recommendations?cluster=${cluster}', icon: 'bolt' },
      { title: 'Control table', page: 'control?cluster=${cluster}', icon: 'table' },
    ],
    panels: [
      money('Monthly now', 'Monthly now', 0, 5, 'The requests running now (or of the last stored peak day).'),
      money('Monthly per the control table', 'Monthly table', 5, 5),
      money('Monthly as recommended', 'Monthly recommended', 10, 5),
      money('Saved by enforcing the table', 'Savings table', 15, 5),
      money('Saved as recommended', 'Savings recommended', 20, 4),
      table({
        title: 'Most wasteful workloads (by waste score)',
        gridPos: { h: 12, w: 24, x: 0, y: 5 },
        targets: [{ queryType: 'recommendations', ...scope, sort: 'score', limit: 20 }],
        fields: [
          'Kind',
          'Namespace',
          'Workload',
          'Score',
          'Score reason',
          'Risk',
          'Savings',
          'Monthly now',
          'Monthly table',
          'Monthly recommended',
        ],
        gauge: ['Score'],
        columnLinks: {
          Workload: {
            title: 'Control table row',
            url: `${PLUGIN_BASE_URL}/control?cluster=\${cluster}&namespace=\${__data.fields.Namespace}&kind=\${__data.fields.Kind}&q=\${__value.raw}`,
          },
        },
      }),
      table({
        title: 'Savings per namespace',
        gridPos: { h: 10, w: 24, x: 0, y: 17 },
        targets: [{ queryType: 'savingsByNamespace', ...scope }],
        gauge: ['Savings table', 'Savings recommended'],
        sortBy: 'Savings recommended',
      }),
    ],
  });
}

function nodes(): Dashboard {
  resetIds();
  const q = { queryType: 'nodes' as const, cluster: '$cluster' };
  const shares = ['CPU requested', 'CPU table', 'CPU peak', 'Memory requested', 'Memory table', 'Memory peak'];
  const nodeLink = { title: 'Nodes page', url: `${PLUGIN_BASE_URL}/nodes?cluster=\${cluster}` };
  return dashboard({
    uid: DASHBOARDS.nodes,
    title: 'KubeDoor · Node capacity',
    description:
      "Each node's requested, control-table and peak-used share of its allocatable CPU and memory, what is requested but unused at the peak, and the first-fit drain estimate (an estimate: affinity, taints, volumes and pod limits are not read). The time range is the peak history read, at most 90 days.",
    variables: [clusterVar()],
    appLinks: [
      { title: 'Nodes', page: 'nodes?cluster=${cluster}', icon: 'cloud' },
      { title: 'Control table', page: 'control?cluster=${cluster}', icon: 'table' },
    ],
    panels: [
      table({
        title: 'Nodes by requested share',
        gridPos: { h: 12, w: 24, x: 0, y: 0 },
        targets: [q],
        fields: ['Node', 'Rank requested', 'Requested share', ...shares, 'Pods', 'Drain (estimate)'],
        gauge: ['Requested share', ...shares],
        sortBy: 'Requested share',
        columnLinks: { Node: nodeLink },
      }),
      table({
        title: 'Nodes by peak-used share',
        gridPos: { h: 12, w: 24, x: 0, y: 12 },
        targets: [q],
        fields: [
          'Node',
          'Rank peak',
          'Peak share',
          'CPU allocatable',
          'Memory allocatable',
          'CPU unused at peak',
          'Memory unused at peak',
        ],
        gauge: ['Peak share'],
        sortBy: 'Peak share',
        columnLinks: { Node: nodeLink },
      }),
    ],
  });
}

// The live view's PromQL, as pkg/promql's Live* builders write it with Grafana's variables;
// TestLiveDashboardMatchesTheBuilders (Go) fails when the two differ.
const LIVE_SELECTOR =
  'namespace="$namespace",pod=~"${workload:regex}-([a-z0-9]+-)?[a-z0-9]+",container!="",container!="POD"';
const perPod = (sel: string) => `sum by (pod) (max by (namespace, pod, container) (${sel}))`;
const liveResource = (metric: string, resource: 'cpu' | 'memory') =>
  perPod(`${metric}{${LIVE_SELECTOR},resource="${resource}",unit="${resource === 'cpu' ? 'core' : 'byte'}"}`);
const liveReferences = (resource: 'cpu' | 'memory') => [
  { legend: 'request {{pod}}', expr: liveResource('kube_pod_container_resource_requests', resource) },
  { legend: 'limit {{pod}}', expr: liveResource('kube_pod_container_resource_limits', resource) },
];

function live(): Dashboard {
  resetIds();
  const one = { cluster: '$cluster', namespace: '$namespace', kind: '$kind', workload: '$workload' };
  const table = (resource: 'cpu' | 'memory') => [{ queryType: 'controlLimits' as const, ...one, resource }];
  return {
    ...dashboard({
      uid: DASHBOARDS.live,
      title: 'KubeDoor · Live workload',
      description:
        "One workload now, read from your own Prometheus (the Prometheus variable), not from the app's peak store: each pod's CPU (rate of container_cpu_usage_seconds_total) and working set, with each pod's request and limit as kube-state-metrics reports them (what the pod runs with) and the control table's per-pod request and limit as thick short-dashed thresholds (from the app). The peak window of the workload (the cluster's setting or its override) is shaded. Pods are matched by name: <workload>-<hash>-<hash>, <workload>-<suffix> or <workload>-<ordinal>.",
      variables: [
        prometheusVariable(),
        clusterVar(),
        namespaceVar(false),
        kindVariable({ all: false }),
        queryVariable('workload', 'Workload', 'workloads($cluster, $namespace, $kind)'),
      ],
      appLinks: [
        {
          title: 'Edit in the control table',
          page: 'control?cluster=${cluster}&namespace=${namespace}&kind=${kind}&q=${workload}',
          icon: 'pen',
        },
      ],
      annotations: [annotation('Peak window', { queryType: 'peakWindows', ...one }, 'rgba(255, 152, 48, 0.4)')],
      panels: [
        promTimeseries({
          title: 'CPU per pod (cores) vs request and limit',
          gridPos: { h: 10, w: 24, x: 0, y: 0 },
          unit: 'cores',
          targets: [
            {
              legend: '{{pod}}',
              expr: perPod(`rate(container_cpu_usage_seconds_total{${LIVE_SELECTOR}}[$__rate_interval])`),
            },
            ...liveReferences('cpu'),
          ],
          appTargets: table('cpu'),
        }),
        promTimeseries({
          title: 'Working set per pod vs request and limit',
          gridPos: { h: 10, w: 24, x: 0, y: 10 },
          unit: 'bytes',
          targets: [
            { legend: '{{pod}}', expr: perPod(`container_memory_working_set_bytes{${LIVE_SELECTOR}}`) },
            ...liveReferences('memory'),
          ],
          appTargets: table('memory'),
        }),
      ],
    }),
    time: { from: 'now-3h', to: 'now' },
    refresh: '1m',
  };
}

/** File name (in provisioning/dashboards/) → dashboard JSON. */
export function allDashboards(): Record<string, Dashboard> {
  return {
    'kubedoor-cluster.json': cluster(),
    'kubedoor-top.json': top(),
    'kubedoor-namespaces.json': namespaces(),
    'kubedoor-workload.json': workload(),
    'kubedoor-savings.json': savings(),
    'kubedoor-nodes.json': nodes(),
    'kubedoor-live.json': live(),
  };
}

/** The text each file holds: 2-space JSON and a final newline. */
export function dashboardFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(allDashboards()).map(([name, d]) => [name, `${JSON.stringify(d, null, 2)}\n`])
  );
}
