// KubeDoor's panels, variables and links, made with Grafana's typed dashboard builders
// (@grafana/grafana-foundation-sdk). Dashboards are written as code here and in definitions.ts and
// generated into provisioning/dashboards/*.json by `npm run dashboards`; a test keeps the two equal.
// Every dashboard goes through the SDK's builders, so tsc checks it against the SDK's types. The
// SDK is plain CommonJS: the generator runs under ts-node.
// The SDK marks its classic DashboardBuilder deprecated in favour of dashboardv2, the v2 resource
// schema; file provisioning (provisioning/dashboards/kubedoor.yaml) and Grafana 12.0, the oldest
// Grafana the app supports, read the classic JSON model, so the classic builder is the one used.
/* eslint-disable @typescript-eslint/no-deprecated */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat_ from '@grafana/grafana-foundation-sdk/stat';
import * as table_ from '@grafana/grafana-foundation-sdk/table';
import * as timeseries_ from '@grafana/grafana-foundation-sdk/timeseries';

import { DATASOURCE_TYPE, DATASOURCE_UID, PLUGIN_BASE_URL } from '../constants';
import type { KubeDoorQuery } from '../datasource/types';

export const DS: common.DataSourceRef = { type: DATASOURCE_TYPE, uid: DATASOURCE_UID };
export const TAG = 'kubedoor';
export const ALL = '__all';

export type Json = { [key: string]: unknown };

export type GridPos = dashboard.GridPos;

export type Target = Omit<KubeDoorQuery, 'refId'>;

/** What a dashboard's panel list holds: panels and (non-collapsed) rows, in grid order. */
export type PanelOrRow = cog.Builder<dashboard.Panel> | dashboard.RowBuilder;

interface PanelBase {
  title: string;
  description?: string;
  gridPos: GridPos;
  targets: Target[];
  /** Frame fields to keep (filterFieldsByName); the time field is kept automatically. */
  fields?: string[];
}

/**
 * A query of the app's datasource. The SDK types each datasource's query (cog.Dataquery); this
 * one is the app's own KubeDoorQuery, with the ref id and datasource a panel target carries.
 */
export class KubeDoorQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(
    private readonly ref: string,
    private readonly query: Target
  ) {}

  build(): KubeDoorQuery & cog.Dataquery {
    return { refId: this.ref, datasource: DS, ...this.query, _implementsDataqueryVariant() {} };
  }
}

const refId = (i: number) => String.fromCharCode(65 + i);

function targets(ts: Target[]): KubeDoorQueryBuilder[] {
  return ts.map((t, i) => new KubeDoorQueryBuilder(refId(i), t));
}

function fieldFilter(fields: string[] | undefined, keep: string[] = []): dashboard.DataTransformerConfig[] {
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

/** What every panel type's builder sets alike. */
interface CommonPanel<B> {
  id(id: number): B;
  title(title: string): B;
  description(description: string): B;
  datasource(datasource: common.DataSourceRef): B;
  gridPos(gridPos: dashboard.GridPos): B;
  targets(targets: Array<cog.Builder<cog.Dataquery>>): B;
  transformations(transformations: dashboard.DataTransformerConfig[]): B;
  unit(unit: string): B;
}

function base<B extends CommonPanel<B>>(
  b: B,
  p: PanelBase & { unit?: string },
  transformations: dashboard.DataTransformerConfig[]
): B {
  b.id(nextId++)
    .title(p.title)
    .datasource(DS)
    .gridPos(p.gridPos)
    .targets(targets(p.targets))
    .transformations(transformations);
  if (p.description) {
    b.description(p.description);
  }
  if (p.unit) {
    b.unit(p.unit);
  }
  return b;
}

/** Requests and limits are thresholds the usage is read against: dashed. */
const dashed = (): dashboard.DynamicConfigValue => ({
  id: 'custom.lineStyle',
  value: new common.LineStyleBuilder().fill('dash').dash([10, 6]).build(),
});

export function timeseries(
  p: PanelBase & { unit?: string; bars?: boolean; stack?: boolean }
): timeseries_.PanelBuilder {
  return base(new timeseries_.PanelBuilder(), p, fieldFilter(p.fields, ['Day']))
    .drawStyle(p.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .lineWidth(2)
    .fillOpacity(p.bars ? 60 : 8)
    .showPoints(common.VisibilityMode.Always)
    .pointSize(4)
    .spanNulls(false)
    .stacking(
      new common.StackingConfigBuilder()
        .mode(p.stack ? common.StackingMode.Normal : common.StackingMode.None)
        .group('A')
    )
    .overrideByRegexp('.*(request|limit).*', [dashed()])
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max', 'mean'])
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending)
    );
}

/** One number; `time: false` for frames without a Day field (a single row). */
export function stat(p: PanelBase & { unit?: string; field: string; time?: boolean }): stat_.PanelBuilder {
  return base(new stat_.PanelBuilder(), p, fieldFilter([p.field], p.time === false ? [] : ['Day']))
    .decimals(2)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']).fields(''))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .textMode(common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto);
}

/** A link on a table column's cells. */
export interface ColumnLink {
  title: string;
  url: string;
}

const gaugeCell: common.TableBarGaugeCellOptions = {
  type: common.TableCellDisplayMode.Gauge,
  mode: common.BarGaugeDisplayMode.Gradient,
  valueDisplayMode: common.BarGaugeValueMode.Text,
};

/** A table; `gauge` names columns drawn as bar gauges; `columnLinks` per column name. */
export function table(
  p: PanelBase & { gauge?: string[]; columnLinks?: Record<string, ColumnLink>; sortBy?: string }
): table_.PanelBuilder {
  const b = base(new table_.PanelBuilder(), p, fieldFilter(p.fields))
    .align(common.FieldTextAlignment.Auto)
    .filterable(true)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .footer(new common.TableFooterOptionsBuilder().show(false).reducer(['sum']));
  for (const name of p.gauge ?? []) {
    b.overrideByName(name, [{ id: 'custom.cellOptions', value: gaugeCell }]);
  }
  for (const [name, link] of Object.entries(p.columnLinks ?? {})) {
    b.overrideByName(name, [{ id: 'links', value: [link] }]);
  }
  if (p.sortBy) {
    b.sortBy([new common.TableSortByFieldStateBuilder().displayName(p.sortBy).desc(true)]);
  }
  return b;
}

/** A pie of one numeric field across rows, each slice named by `labelField`. */
export function pie(p: PanelBase & { field: string; labelField: string; unit?: string }): piechart.PanelBuilder {
  return base(new piechart.PanelBuilder(), p, fieldFilter([p.labelField, p.field]))
    .displayName(`\${__data.fields.${p.labelField}}`)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs([]).fields(`/^${p.field}$/`))
    .pieType(piechart.PieChartType.Donut)
    .displayLabels([piechart.PieChartLabels.Name, piechart.PieChartLabels.Percent])
    .legend(
      new piechart.PieChartLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .values([piechart.PieChartLegendValues.Value, piechart.PieChartLegendValues.Percent])
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Single).sort(common.SortOrder.None));
}

export function row(title: string, y: number): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).id(nextId++).collapsed(false).gridPos({ h: 1, w: 24, x: 0, y });
}

/** A query variable read through the datasource's standard variable support. */
export function queryVariable(
  name: string,
  label: string,
  query: string,
  opts: { all?: boolean } = {}
): dashboard.QueryVariableBuilder {
  const b = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DS)
    .query({ query, refId: 'StandardVariableQuery' })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged) // namespaces and containers depend on the range
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(false)
    .includeAll(Boolean(opts.all))
    .hide(dashboard.VariableHide.DontHide);
  return opts.all ? b.allValue(ALL) : b;
}

/** The workload kinds, as the `kind` variable offers them. */
export const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

/**
 * The `kind` custom variable: with All (no filter) where panels sum or list workloads, without it
 * where one workload is shown (Deployment first, as workloads without a kind are Deployments).
 */
export function kindVariable(opts: { all: boolean }): dashboard.CustomVariableBuilder {
  const options: dashboard.VariableOption[] = [
    ...(opts.all ? [{ text: 'All', value: '$__all', selected: true }] : []),
    ...KINDS.map((k, i) => ({ text: k, value: k, selected: !opts.all && i === 0 })),
  ];
  const current = options.find((o) => o.selected)!;
  const b = new dashboard.CustomVariableBuilder('kind')
    .label('Kind')
    .values(KINDS.join(','))
    .multi(false)
    .includeAll(opts.all)
    .current({ text: current.text, value: current.value, selected: true })
    .options(options)
    .hide(dashboard.VariableHide.DontHide);
  return opts.all ? b.allValue(ALL) : b;
}

/**
 * A link in the dashboard's header. The SDK's link builder places every link in the dashboard
 * controls menu (placement "inControlsMenu") by default; KubeDoor's links stay in the header, where
 * Grafana puts a link without a placement.
 */
class HeaderLink implements cog.Builder<dashboard.DashboardLink> {
  constructor(private readonly link: dashboard.DashboardLinkBuilder) {}

  build(): dashboard.DashboardLink {
    const l = this.link.build();
    delete l.placement;
    return l;
  }
}

function urlLink(title: string, url: string, icon: string): HeaderLink {
  return new HeaderLink(
    new dashboard.DashboardLinkBuilder(title)
      .type(dashboard.DashboardLinkType.Link)
      .url(url)
      .icon(icon)
      .includeVars(false)
      .keepTime(false)
      .asDropdown(false)
      .targetBlank(false)
      .tags([])
      .tooltip('')
  );
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Array<cog.Builder<dashboard.VariableModel>>;
  panels: PanelOrRow[];
  /** Links to the app's pages (relative to the app) shown in the dashboard's header. */
  appLinks: Array<{ title: string; page: string; icon?: string }>;
  /** Links to other dashboards (absolute URLs with template variables). */
  dashboardLinks?: Array<{ title: string; url: string; icon?: string }>;
  /** Annotation queries (see `annotation`). */
  annotations?: Array<cog.Builder<dashboard.AnnotationQuery>>;
}

export function dashboardBuilder(spec: DashboardSpec): dashboard.DashboardBuilder {
  const b = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG])
    .timezone('browser')
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .version(1)
    .time({ from: 'now-30d', to: 'now' })
    .refresh('')
    .fiscalYearStartMonth(0)
    .liveNow(false)
    // Always a list (the SDK's default is none): Grafana adds its built-in annotation to it.
    .annotations(spec.annotations ?? [])
    .variables(spec.variables)
    .links([
      new HeaderLink(
        new dashboard.DashboardLinkBuilder('KubeDoor dashboards')
          .type(dashboard.DashboardLinkType.Dashboards)
          .tags([TAG])
          .asDropdown(true)
          .includeVars(true)
          .keepTime(true)
          .icon('external link')
          .targetBlank(false)
          .tooltip('')
          .url('')
      ),
      ...spec.appLinks.map((l) => urlLink(l.title, `${PLUGIN_BASE_URL}/${l.page}`, l.icon ?? 'external link')),
      ...(spec.dashboardLinks ?? []).map((l) => urlLink(l.title, l.url, l.icon ?? 'dashboard')),
    ]);
  for (const p of spec.panels) {
    if (p instanceof dashboard.RowBuilder) {
      b.withRow(p);
    } else {
      b.withPanel(p);
    }
  }
  return b;
}

/** The dashboard the spec describes, built by the SDK's DashboardBuilder. */
function dashboardJson(spec: DashboardSpec): dashboard.Dashboard {
  return dashboardBuilder(spec).build();
}
export { dashboardJson as dashboard };

export type Dashboard = dashboard.Dashboard;

/** The live dashboard's Prometheus: the user's own, chosen by the `prometheus` variable. */
export const PROM_DS: common.DataSourceRef = { type: 'prometheus', uid: '${prometheus}' };

/** A datasource variable listing the user's Prometheus datasources. */
export function prometheusVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('prometheus')
    .label('Prometheus')
    .type('prometheus')
    .regex('')
    .hide(dashboard.VariableHide.DontHide);
}

/** Grafana's "-- Mixed --" datasource: each target names its own. */
export const MIXED_DS: common.DataSourceRef = { type: 'datasource', uid: '-- Mixed --' };

/** An annotation query of the app's datasource (the peak windows shade the time series). */
export function annotation(name: string, target: Target, iconColor: string): HeaderAnnotation {
  return new HeaderAnnotation(
    new dashboard.AnnotationQueryBuilder()
      .name(name)
      .datasource(DS)
      .enable(true)
      .hide(false)
      .iconColor(iconColor)
      .target(new KubeDoorQueryBuilder('Anno', target))
  );
}

/** An annotation toggled from the dashboard's header, as HeaderLink keeps links there. */
class HeaderAnnotation implements cog.Builder<dashboard.AnnotationQuery> {
  constructor(private readonly query: dashboard.AnnotationQueryBuilder) {}

  build(): dashboard.AnnotationQuery {
    const q = this.query.build();
    delete q.placement;
    return q;
  }
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
): timeseries_.PanelBuilder {
  const prom = p.targets.map((t, i) =>
    new prometheus.DataqueryBuilder()
      .refId(refId(i))
      .datasource(PROM_DS)
      .expr(t.expr)
      .legendFormat(t.legend)
      .range()
      .editorMode(prometheus.QueryEditorMode.Code)
  );
  const app = (p.appTargets ?? []).map((t, i) => new KubeDoorQueryBuilder(refId(prom.length + i), t));
  const b = new timeseries_.PanelBuilder()
    .id(nextId++)
    .title(p.title)
    .datasource(app.length > 0 ? MIXED_DS : PROM_DS)
    .gridPos(p.gridPos)
    .targets([...prom, ...app])
    .unit(p.unit)
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(2)
    .fillOpacity(8)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .overrideByRegexp('^(request|limit) .*', [dashed(), { id: 'custom.fillOpacity', value: 0 }])
    .overrideByRegexp('^limit .*', [
      {
        id: 'color',
        value: new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor('red').build(),
      },
    ])
    .overrideByRegexp('.* \\(control table\\)$', [
      { id: 'custom.lineWidth', value: 3 },
      { id: 'custom.lineStyle', value: new common.LineStyleBuilder().fill('dash').dash([4, 4]).build() },
    ])
    .overrideByName('request (control table)', [
      {
        id: 'color',
        value: new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor('orange').build(),
      },
    ])
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max'])
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending)
    );
  if (p.description) {
    b.description(p.description);
  }
  return b;
}
