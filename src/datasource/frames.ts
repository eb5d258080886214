// Backend answers → Grafana data frames, as pure functions. Daily values are placed at noon UTC of
// their day, so that every browser from UTC-11 to UTC+11 shows them on the right date.
import { createDataFrame, type DataFrame, type FieldConfig, FieldType, type MetricFindValue } from '@grafana/data';

import type {
  ClusterItem,
  ControlRow,
  Items,
  Page,
  PeakNamespace,
  PeakRow,
  PeakTopItem,
  PeakTotal,
  TopBy,
} from '../api/types';
import type { Cost, Recommendations } from '../api/recommendTypes';
import type { NodeLine, NodeView } from '../api/nodeTypes';
import { isWorkloadKind, kindOf, recommendReplicas } from '../api/workloadKind';
import type { KubeDoorQuery } from './types';

/** Grafana units: cores have none of their own, so "short" with a "cores" suffix. */
const CORES: FieldConfig = { unit: 'suffix: cores', decimals: 3 };
const BYTES: FieldConfig = { unit: 'bytes' };
const PERCENT: FieldConfig = { unit: 'percent' };
const RATIO: FieldConfig = { unit: 'percentunit' };
const COUNT: FieldConfig = { unit: 'short', decimals: 0 };

export function dayToTime(day: string): number {
  return Date.parse(`${day}T12:00:00Z`);
}

const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

interface Column<T> {
  name: string;
  get: (row: T) => unknown;
  type: FieldType;
  config?: FieldConfig;
}

function frame<T>(
  refId: string,
  name: string,
  rows: T[],
  columns: Array<Column<T>>,
  meta?: DataFrame['meta']
): DataFrame {
  return createDataFrame({
    refId,
    name,
    meta,
    fields: columns.map((c) => ({ name: c.name, type: c.type, config: c.config ?? {}, values: rows.map(c.get) })),
  });
}

const time = <T extends { day: string }>(): Column<T> => ({
  name: 'Day',
  type: FieldType.time,
  get: (r) => dayToTime(r.day),
});
const n = <T>(name: string, get: (r: T) => number | null | undefined, config?: FieldConfig): Column<T> => ({
  name,
  type: FieldType.number,
  get: (r) => num(get(r)),
  config,
});
const s = <T>(name: string, get: (r: T) => string): Column<T> => ({ name, type: FieldType.string, get });
/** The workload's kind; rows of older backends have none and are Deployments. */
const kind = <T extends { kind?: string }>(): Column<T> => s('Kind', (r) => kindOf(r));

/** GET v1/peaks/totals → one time series frame, fields per measure. */
export function totalsFrame(q: KubeDoorQuery, body: Items<PeakTotal>): DataFrame {
  const rows = [...(body.items ?? [])].sort((a, b) => a.day.localeCompare(b.day));
  return frame(q.refId, 'Totals', rows, [
    time(),
    n('Pods', (r) => r.pods, COUNT),
    n('CPU usage', (r) => r.cpuUsage, CORES),
    n('CPU request', (r) => r.cpuRequest, CORES),
    n('CPU limit', (r) => r.cpuLimit, CORES),
    n('Memory usage', (r) => r.memUsage, BYTES),
    n('Memory request', (r) => r.memRequest, BYTES),
    n('Memory limit', (r) => r.memLimit, BYTES),
  ]);
}

const TOP_UNIT: Record<TopBy, FieldConfig> = {
  cpu: CORES,
  memory: BYTES,
  cpuPct: PERCENT,
  memPct: PERCENT,
  pods: COUNT,
};

const TOP_LABEL: Record<TopBy, string> = {
  cpu: 'CPU P95',
  memory: 'Memory P95',
  cpuPct: 'CPU % of limit',
  memPct: 'Memory % of limit',
  pods: 'Pods',
};

/** GET v1/peaks/top → a table frame, ranked as the backend ranked it. */
export function topFrame(q: KubeDoorQuery, body: Items<PeakTopItem>): DataFrame {
  const by = q.by ?? 'cpu';
  return frame(q.refId, `Top by ${TOP_LABEL[by]}`, body.items ?? [], [
    kind(),
    s('Namespace', (r) => r.namespace),
    s('Workload', (r) => r.workload),
    n(TOP_LABEL[by], (r) => r.value, TOP_UNIT[by]),
    s('Peak day', (r) => r.day),
  ]);
}

/** GET v1/peaks/namespaces → a table frame with each namespace's share of the cluster. */
export function namespacesFrame(q: KubeDoorQuery, body: Items<PeakNamespace>): DataFrame {
  return frame(q.refId, 'Namespaces', body.items ?? [], [
    s('Namespace', (r) => r.namespace),
    n('Workloads', (r) => r.workloads, COUNT),
    n('Pods', (r) => r.pods, COUNT),
    n('CPU usage', (r) => r.cpuUsage, CORES),
    n('CPU request', (r) => r.cpuRequest, CORES),
    n('CPU share', (r) => r.cpuShare, RATIO),
    n('Memory usage', (r) => r.memUsage, BYTES),
    n('Memory request', (r) => r.memRequest, BYTES),
    n('Memory share', (r) => r.memShare, RATIO),
  ]);
}

/** GET v1/peaks/series → one time series frame of a workload's (container's) daily peaks, per pod. */
export function seriesFrame(q: KubeDoorQuery, body: Items<PeakRow>): DataFrame {
  const rows = [...(body.items ?? [])].sort((a, b) => a.day.localeCompare(b.day));
  return frame(
    q.refId,
    rows[0] ? `${rows[0].namespace}/${rows[0].workload} ${rows[0].container || 'pod'}` : 'Series',
    rows,
    [
      time(),
      n('Pods (min)', (r) => r.podsMin, COUNT),
      n('Pods (max)', (r) => r.podsMax, COUNT),
      n('CPU P95 (worst pod)', (r) => r.cpuMax, CORES),
      n('CPU P95 (average pod)', (r) => r.cpuAvg, CORES),
      n('CPU request', (r) => r.cpuRequest, CORES),
      n('CPU limit', (r) => r.cpuLimit, CORES),
      n('Memory P95 (worst pod)', (r) => r.memMax, BYTES),
      n('Memory P95 (average pod)', (r) => r.memAvg, BYTES),
      n('Memory request', (r) => r.memRequest, BYTES),
      n('Memory limit', (r) => r.memLimit, BYTES),
      n('CPU % of limit', (r) => r.cpuPctOfLimit, PERCENT),
      n('Memory % of limit', (r) => r.memPctOfLimit, PERCENT),
      n('Throttled', (r) => r.throttlingRatio, RATIO),
      n('OOM kills', (r) => r.oomKills, COUNT),
    ]
  );
}

/** GET v1/peaks → a table frame of peak rows; `meta.custom.total` says how many match in all. */
export function peaksFrame(q: KubeDoorQuery, body: Page<PeakRow>): DataFrame {
  return frame(
    q.refId,
    'Peak rows',
    body.items ?? [],
    [
      s('Day', (r) => r.day),
      kind(),
      s('Namespace', (r) => r.namespace),
      s('Workload', (r) => r.workload),
      s('Container', (r) => r.container || '(pod)'),
      n('Pods (min)', (r) => r.podsMin, COUNT),
      n('CPU P95 (worst pod)', (r) => r.cpuMax, CORES),
      n('CPU request', (r) => r.cpuRequest, CORES),
      n('CPU used of request', (r) => (r.cpuRequest > 0 && r.cpuMax >= 0 ? r.cpuMax / r.cpuRequest : null), RATIO),
      n('Memory P95 (worst pod)', (r) => r.memMax, BYTES),
      n('Memory request', (r) => r.memRequest, BYTES),
      n('Memory used of request', (r) => (r.memRequest > 0 && r.memMax >= 0 ? r.memMax / r.memRequest : null), RATIO),
      n('OOM kills', (r) => r.oomKills, COUNT),
    ],
    { custom: { total: body.total } }
  );
}

// Grafana's currency units; others are written after the number.
const CURRENCY_UNITS = new Set(
  'BGN BRL CHF CZK DKK EUR GBP IDR ILS INR ISK JPY KRW MYR NOK PHP PLN RUB SEK TRY UAH USD VND ZAR'.split(' ')
);

function money(currency: string): FieldConfig {
  return { unit: CURRENCY_UNITS.has(currency) ? `currency${currency}` : `suffix: ${currency}`, decimals: 2 };
}

const GIB: FieldConfig = { unit: 'suffix: GiB', decimals: 2 };

/** Money can be negative (a table above what runs): not filtered like measurements. */
const m = <T>(name: string, get: (r: T) => number, config: FieldConfig): Column<T> => ({
  name,
  type: FieldType.number,
  get: (r) => (Number.isFinite(get(r)) ? get(r) : null),
  config,
});

/** GET v1/clusters/{cluster}/recommendations → a table frame of its workloads, in the server's order. */
export function recommendationsFrame(q: KubeDoorQuery, body: Recommendations): DataFrame {
  const cur = money(body.currency);
  return frame(q.refId, 'Recommendations', body.items ?? [], [
    kind(),
    s('Namespace', (r) => r.namespace),
    s('Workload', (r) => r.workload),
    n('Score', (r) => r.score, { unit: 'short', decimals: 0 }),
    s('Score reason', (r) => r.scoreReason),
    s('Risk', (r) => r.risk.level),
    m('Savings', (r) => r.savings, cur),
    m('Monthly now', (r) => r.now.monthly, cur),
    m('Monthly table', (r) => r.table.monthly, cur),
    m('Monthly recommended', (r) => r.recommended.monthly, cur),
    // DaemonSets have no replicas: empty cells.
    n('Replicas now', (r) => recommendReplicas(r)?.now, COUNT),
    n('Replicas table', (r) => recommendReplicas(r)?.table, COUNT),
    n('Replicas recommended', (r) => recommendReplicas(r)?.recommended, COUNT),
    n('Days over request', (r) => r.risk.daysOverRequest, COUNT),
    n('OOM kills', (r) => r.risk.oomKills, COUNT),
  ]);
}

const costColumns = <T>(label: string, get: (r: T) => Cost, cur: FieldConfig): Array<Column<T>> => [
  m(`Monthly ${label}`, (r) => get(r).monthly, cur),
  n(`CPU ${label}`, (r) => get(r).cpuCores, CORES),
  n(`Memory ${label}`, (r) => get(r).memGiB, GIB),
];

/** The same answer → one row of totals: monthly money, cores and GiB now, per the table and recommended. */
export function savingsFrame(q: KubeDoorQuery, body: Recommendations): DataFrame {
  const cur = money(body.currency);
  type T = Recommendations['totals'];
  return frame(
    q.refId,
    'Savings',
    [body.totals],
    [
      ...costColumns<T>('now', (r) => r.now, cur),
      ...costColumns<T>('table', (r) => r.table, cur),
      ...costColumns<T>('recommended', (r) => r.recommended, cur),
      m<T>('Savings table', (r) => r.savingsTable, cur),
      m<T>('Savings recommended', (r) => r.savingsRecommended, cur),
      s<T>('Currency', () => body.currency),
    ]
  );
}

/** The same answer → one row per namespace: monthly money and what the table and recommendations save. */
export function savingsByNamespaceFrame(q: KubeDoorQuery, body: Recommendations): DataFrame {
  const cur = money(body.currency);
  type T = NonNullable<Recommendations['namespaces']>[number];
  return frame(q.refId, 'Savings per namespace', body.namespaces ?? [], [
    s<T>('Namespace', (r) => r.namespace),
    m<T>('Monthly now', (r) => r.now.monthly, cur),
    m<T>('Monthly table', (r) => r.table.monthly, cur),
    m<T>('Monthly recommended', (r) => r.recommended.monthly, cur),
    m<T>('Savings table', (r) => r.now.monthly - r.table.monthly, cur),
    m<T>('Savings recommended', (r) => r.now.monthly - r.recommended.monthly, cur),
  ]);
}

/** Variable answers → distinct, sorted values. */
export function variableValues(q: KubeDoorQuery, body: unknown): MetricFindValue[] {
  let values: string[] = [];
  switch (q.variable) {
    case 'clusters':
      values = ((body as Items<ClusterItem>).items ?? []).map((c) => c.name);
      break;
    case 'namespaces':
      values = ((body as Items<PeakNamespace>).items ?? []).map((r) => r.namespace);
      break;
    case 'workloads':
      // Older backends ignore the kind filter (their rows are Deployments): filter here too.
      values = ((body as Page<ControlRow>).items ?? [])
        .filter((r) => !isWorkloadKind(q.kind) || kindOf(r) === q.kind)
        .map((r) => r.workload);
      break;
    case 'containers':
      values = ((body as Page<PeakRow>).items ?? []).map((r) => r.container).filter((c) => c !== '');
      break;
  }
  return Array.from(new Set(values))
    .sort()
    .map((text) => ({ text, value: text }));
}

/** Variable values as the one-field frame Grafana reads them from. */
export function variableFrame(q: KubeDoorQuery, values: MetricFindValue[]): DataFrame {
  return frame(q.refId, 'values', values, [s('text', (v) => String(v.text))]);
}

/** A share of allocatable, or empty for a node that reports none. */
const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** The drain estimate of one node, in a few words (the page's wording). */
function drainWords(d: NodeLine['drain']): string {
  if (!d.possible) {
    return 'not judged';
  }
  if (d.movablePods === 0) {
    return 'nothing to move';
  }
  if (d.underTable) {
    return d.now ? 'drainable now' : 'drainable under the table';
  }
  return `${d.unplacedTable} of ${d.movablePods} pods find no room`;
}

/** GET v1/clusters/{cluster}/nodes → one row per node: shares of allocatable, unused at peak, rank and drain estimate. */
export function nodesFrame(q: KubeDoorQuery, body: NodeView): DataFrame {
  type T = NodeLine;
  const cpu = (r: T, v: number) => share(v, r.allocatable.cpuMillis);
  const mem = (r: T, v: number) => share(v, r.allocatable.memBytes);
  return frame(q.refId, 'Nodes', body.nodes ?? [], [
    s<T>('Node', (r) => r.name),
    n<T>('Rank requested', (r) => (r.rankRequested > 0 ? r.rankRequested : null), COUNT),
    n<T>('Rank peak', (r) => (r.rankPeak > 0 ? r.rankPeak : null), COUNT),
    n<T>('Requested share', (r) => r.requestedShare?.max, RATIO),
    n<T>('Peak share', (r) => r.peakShare?.max, RATIO),
    n<T>('CPU requested', (r) => cpu(r, r.requested.cpuMillis), RATIO),
    n<T>('CPU table', (r) => cpu(r, r.table.cpuMillis), RATIO),
    n<T>('CPU peak', (r) => cpu(r, r.peak.cpuMillis), RATIO),
    n<T>('Memory requested', (r) => mem(r, r.requested.memBytes), RATIO),
    n<T>('Memory table', (r) => mem(r, r.table.memBytes), RATIO),
    n<T>('Memory peak', (r) => mem(r, r.peak.memBytes), RATIO),
    n<T>('CPU allocatable', (r) => r.allocatable.cpuMillis / 1000, CORES),
    n<T>('Memory allocatable', (r) => r.allocatable.memBytes, BYTES),
    n<T>('CPU unused at peak', (r) => r.unusedAtPeak.cpuMillis / 1000, CORES),
    n<T>('Memory unused at peak', (r) => r.unusedAtPeak.memBytes, BYTES),
    n<T>('Pods', (r) => r.pods, COUNT),
    s<T>('Drain (estimate)', (r) => drainWords(r.drain)),
  ]);
}
