// Small builders for Grafana dashboard JSON (schema 41). Dashboards are written as code here and
// generated into provisioning/dashboards/*.json by `npm run dashboards`; a test keeps the two equal.
// Nothing here imports Grafana packages, so the generator runs under plain ts-node.
import { DATASOURCE_TYPE, DATASOURCE_UID, PLUGIN_BASE_URL } from '../constants';
import type { KubeDoorQuery } from '../datasource/types';

export const DS = { type: DATASOURCE_TYPE, uid: DATASOURCE_UID } as const;
export const TAG = 'kubedoor';
export const ALL = '__all';

export type Json = { [key: string]: unknown };

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export type Target = Omit<KubeDoorQuery, 'refId'>;

interface PanelBase {
  title: string;
  description?: string;
  gridPos: GridPos;
  targets: Target[];
  /** Frame fields to keep (filterFieldsByName); the time field is kept automatically. */
  fields?: string[];
  links?: Array<{ title: string; url: string }>;
}

function targetsJson(targets: Target[]): Json[] {
  return targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, ...t }));
}

function fieldFilter(fields: string[] | undefined, keep: string[] = []): Json[] {
  if (!fields) {
    return [];
  }
  return [{ id: 'filterFieldsByName', options: { include: { names: [...keep, ...fields] } } }];
}

let nextId = 1;
/** Panel ids are unique within a dashboard; call before building each dashboard. */
export function resetIds() {
  nextId = 1;
}

function base(p: PanelBase, type: string): Json {
  return {
    id: nextId++,
    type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: DS,
    gridPos: p.gridPos,
    targets: targetsJson(p.targets),
    ...(p.links ? { links: p.links.map((l) => ({ ...l, targetBlank: false })) } : {}),
  };
}

export function timeseries(p: PanelBase & { unit?: string; bars?: boolean; stack?: boolean }): Json {
  return {
    ...base(p, 'timeseries'),
    transformations: fieldFilter(p.fields, ['Day']),
    fieldConfig: {
      defaults: {
        unit: p.unit,
        custom: {
          drawStyle: p.bars ? 'bars' : 'line',
          lineWidth: 2,
          fillOpacity: p.bars ? 60 : 8,
          showPoints: 'always',
          pointSize: 4,
          spanNulls: false,
          stacking: { mode: p.stack ? 'normal' : 'none', group: 'A' },
        },
      },
      overrides: [
        // Requests and limits are thresholds the usage is read against: dashed.
        {
          matcher: { id: 'byRegexp', options: '.*(request|limit).*' },
          properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 6] } }],
        },
      ],
    },
    options: {
      legend: { showLegend: true, displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max', 'mean'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

/** One number; `time: false` for frames without a Day field (a single row). */
export function stat(p: PanelBase & { unit?: string; field: string; time?: boolean }): Json {
  return {
    ...base(p, 'stat'),
    transformations: fieldFilter([p.field], p.time === false ? [] : ['Day']),
    fieldConfig: { defaults: { unit: p.unit, decimals: 2 }, overrides: [] },
    options: {
      reduceOptions: { values: false, calcs: ['lastNotNull'], fields: '' },
      colorMode: 'value',
      graphMode: 'area',
      textMode: 'auto',
      justifyMode: 'auto',
    },
  };
}

/** A table; `gauge` names columns drawn as bar gauges; `links` per column name. */
export function table(
  p: PanelBase & { gauge?: string[]; columnLinks?: Record<string, { title: string; url: string }>; sortBy?: string }
): Json {
  const overrides: Json[] = [];
  for (const name of p.gauge ?? []) {
    overrides.push({
      matcher: { id: 'byName', options: name },
      properties: [{ id: 'custom.cellOptions', value: { type: 'gauge', mode: 'gradient', valueDisplayMode: 'text' } }],
    });
  }
  for (const [name, link] of Object.entries(p.columnLinks ?? {})) {
    overrides.push({ matcher: { id: 'byName', options: name }, properties: [{ id: 'links', value: [link] }] });
  }
  return {
    ...base(p, 'table'),
    transformations: fieldFilter(p.fields),
    fieldConfig: { defaults: { custom: { align: 'auto', filterable: true } }, overrides },
    options: {
      showHeader: true,
      cellHeight: 'sm',
      footer: { show: false, reducer: ['sum'], fields: '' },
      ...(p.sortBy ? { sortBy: [{ displayName: p.sortBy, desc: true }] } : {}),
    },
  };
}

/** A pie of one numeric field across rows, each slice named by `labelField`. */
export function pie(p: PanelBase & { field: string; labelField: string; unit?: string }): Json {
  return {
    ...base(p, 'piechart'),
    transformations: fieldFilter([p.labelField, p.field]),
    fieldConfig: { defaults: { unit: p.unit, displayName: `\${__data.fields.${p.labelField}}` }, overrides: [] },
    options: {
      reduceOptions: { values: true, calcs: [], fields: `/^${p.field}$/` },
      pieType: 'donut',
      displayLabels: ['name', 'percent'],
      legend: { showLegend: true, displayMode: 'table', placement: 'right', values: ['value', 'percent'] },
      tooltip: { mode: 'single', sort: 'none' },
    },
  };
}

export function row(title: string, y: number): Json {
  return { id: nextId++, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
}

/** A query variable read through the datasource's standard variable support. */
export function queryVariable(name: string, label: string, query: string, opts: { all?: boolean } = {}): Json {
  return {
    type: 'query',
    name,
    label,
    datasource: DS,
    query: { query, refId: 'StandardVariableQuery' },
    definition: query,
    refresh: 2, // on time range change: namespaces and containers depend on the range
    sort: 1,
    multi: false,
    includeAll: Boolean(opts.all),
    ...(opts.all ? { allValue: ALL } : {}),
    current: {},
    options: [],
    hide: 0,
    skipUrlSync: false,
  };
}

/** The workload kinds, as the `kind` variable offers them. */
export const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

/**
 * The `kind` custom variable: with All (no filter) where panels sum or list workloads, without it
 * where one workload is shown (Deployment first, as workloads without a kind are Deployments).
 */
export function kindVariable(opts: { all: boolean }): Json {
  const options = [
    ...(opts.all ? [{ text: 'All', value: '$__all', selected: true }] : []),
    ...KINDS.map((k, i) => ({ text: k, value: k, selected: !opts.all && i === 0 })),
  ];
  const current = options.find((o) => o.selected)!;
  return {
    type: 'custom',
    name: 'kind',
    label: 'Kind',
    query: KINDS.join(','),
    multi: false,
    includeAll: opts.all,
    ...(opts.all ? { allValue: ALL } : {}),
    current: { text: current.text, value: current.value, selected: true },
    options,
    hide: 0,
    skipUrlSync: false,
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Json[];
  panels: Json[];
  /** Links to the app's pages (relative to the app) shown in the dashboard's header. */
  appLinks: Array<{ title: string; page: string; icon?: string }>;
  /** Links to other dashboards (absolute URLs with template variables). */
  dashboardLinks?: Array<{ title: string; url: string; icon?: string }>;
  /** Annotation queries (see `annotation`). */
  annotations?: Json[];
}

export function dashboard(spec: DashboardSpec): Json {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [TAG],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    version: 1,
    time: { from: 'now-30d', to: 'now' },
    timepicker: {},
    refresh: '',
    fiscalYearStartMonth: 0,
    liveNow: false,
    annotations: { list: spec.annotations ?? [] },
    templating: { list: spec.variables },
    links: [
      {
        type: 'dashboards',
        title: 'KubeDoor dashboards',
        tags: [TAG],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
      ...spec.appLinks.map((l) => ({
        type: 'link',
        title: l.title,
        url: `${PLUGIN_BASE_URL}/${l.page}`,
        icon: l.icon ?? 'external link',
        includeVars: false,
        keepTime: false,
        asDropdown: false,
        targetBlank: false,
        tags: [],
        tooltip: '',
      })),
      ...(spec.dashboardLinks ?? []).map((l) => ({
        type: 'link',
        title: l.title,
        url: l.url,
        icon: l.icon ?? 'dashboard',
        includeVars: false,
        keepTime: false,
        asDropdown: false,
        targetBlank: false,
        tags: [],
        tooltip: '',
      })),
    ],
    panels: spec.panels,
  };
}

/** The live dashboard's Prometheus: the user's own, chosen by the `prometheus` variable. */
export const PROM_DS = { type: 'prometheus', uid: '${prometheus}' } as const;

/** A datasource variable listing the user's Prometheus datasources. */
export function prometheusVariable(): Json {
  return {
    type: 'datasource',
    name: 'prometheus',
    label: 'Prometheus',
    query: 'prometheus',
    regex: '',
    current: {},
    options: [],
    hide: 0,
    skipUrlSync: false,
  };
}

/** Grafana's "-- Mixed --" datasource: each target names its own. */
export const MIXED_DS = { type: 'datasource', uid: '-- Mixed --' } as const;

/** An annotation query of the app's datasource (the peak windows shade the time series). */
export function annotation(name: string, target: Target, iconColor: string): Json {
  return { name, datasource: DS, enable: true, hide: false, iconColor, target: { refId: 'Anno', ...target } };
}

/** One PromQL query of a Prometheus panel. */
export interface PromTarget {
  legend: string;
  expr: string;
}

/**
 * A time series of PromQL queries on the `prometheus` variable's datasource. Series whose legend
 * starts with "request" or "limit" are reference lines: dashed, limit in red. `appTargets` are
 * queries of the app's datasource drawn with them (the panel is then "-- Mixed --"); series named
 * "… (control table)" are its thresholds: thick and with short dashes.
 */
export function promTimeseries(
  p: Omit<PanelBase, 'targets' | 'fields'> & { unit: string; targets: PromTarget[]; appTargets?: Target[] }
): Json {
  const prom = p.targets.map((t, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: PROM_DS,
    expr: t.expr,
    legendFormat: t.legend,
    range: true,
    editorMode: 'code',
  }));
  const app = (p.appTargets ?? []).map((t, i) => ({
    refId: String.fromCharCode(65 + prom.length + i),
    datasource: DS,
    ...t,
  }));
  return {
    id: nextId++,
    type: 'timeseries',
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: app.length > 0 ? MIXED_DS : PROM_DS,
    gridPos: p.gridPos,
    targets: [...prom, ...app],
    fieldConfig: {
      defaults: {
        unit: p.unit,
        custom: { drawStyle: 'line', lineWidth: 2, fillOpacity: 8, showPoints: 'never', spanNulls: false },
      },
      overrides: [
        {
          matcher: { id: 'byRegexp', options: '^(request|limit) .*' },
          properties: [
            { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 6] } },
            { id: 'custom.fillOpacity', value: 0 },
          ],
        },
        {
          matcher: { id: 'byRegexp', options: '^limit .*' },
          properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
        },
        {
          matcher: { id: 'byRegexp', options: '.* \\(control table\\)$' },
          properties: [
            { id: 'custom.lineWidth', value: 3 },
            { id: 'custom.lineStyle', value: { fill: 'dash', dash: [4, 4] } },
          ],
        },
        {
          matcher: { id: 'byName', options: 'request (control table)' },
          properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }],
        },
      ],
    },
    options: {
      legend: { showLegend: true, displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}
