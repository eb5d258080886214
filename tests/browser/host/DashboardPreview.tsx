// Runs the provisioned dashboards' queries through the app's REAL datasource module
// (dist/datasource/module.js) against the real backend, and draws each panel's frames simply:
// a line chart for time series, a table otherwise. Grafana's own panel plugins are not on npm,
// so this checks the data path (variables → datasource → backend → frames), not Grafana's looks.
// PromQL targets (the live dashboard) go to the real Prometheus through the devhost's datasource
// proxy (./prom.ts) and are drawn on a time axis with the annotation regions (./TimeChart.tsx).
import React, { useEffect, useState } from 'react';
import { useLocation, useParams } from 'react-router-dom';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import {
  type DataFrame,
  type DataQueryRequest,
  type DataSourceApi,
  dateTime,
  formattedValueToString,
  getValueFormat,
  type GrafanaTheme2,
} from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';
import { Alert, Badge, LinkButton, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';

import { loadDatasource } from './plugins';
import { type PromTarget, queryPrometheus } from './prom';
import { createTemplateSrv } from './services';
import { type Region, TimeChart } from './TimeChart';

type Json = Record<string, any>;

const vars: Record<string, string> = {};
setTemplateSrv(createTemplateSrv(() => vars));

const RANGE_DAYS = 30;

/**
 * The range: the URL's from/to (Unix ms or now-<n><m|h|d>), else the dashboard's own time, else
 * the last RANGE_DAYS days.
 */
function rangeOf(
  query: URLSearchParams,
  time?: { from: string; to: string }
): { fromMs: number; toMs: number; raw: { from: string; to: string } } {
  const now = Date.now();
  const at = (v: string | null, fallback: number) => {
    if (!v) {
      return fallback;
    }
    if (/^\d+$/.test(v)) {
      return Number(v);
    }
    const m = /^now(?:-(\d+)([mhd]))?$/.exec(v);
    if (!m) {
      throw new Error(`unsupported time "${v}"`);
    }
    return m[1] ? now - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'] : now;
  };
  const raw = {
    from: query.get('from') ?? time?.from ?? `now-${RANGE_DAYS}d`,
    to: query.get('to') ?? time?.to ?? 'now',
  };
  return { fromMs: at(raw.from, now - RANGE_DAYS * 86400000), toMs: at(raw.to, now), raw };
}

const isProm = (t: Json) => t.datasource?.type === 'prometheus';

export function DashboardPreview() {
  const { uid } = useParams();
  const location = useLocation();
  const [boards, setBoards] = useState<Json[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    (async () => {
      const names: string[] = await (await fetch('/provisioning/dashboards/index.json')).json();
      const all: Json[] = await Promise.all(
        names.map(async (n) => (await fetch(`/provisioning/dashboards/${n}`)).json())
      );
      setBoards(uid ? all.filter((b) => b.uid === uid) : all);
    })().catch((e: unknown) => setError(String(e)));
  }, [uid]);
  if (error) {
    return <Alert title="Could not load the dashboards">{error}</Alert>;
  }
  if (!boards) {
    return <LoadingPlaceholder text="Loading dashboards..." />;
  }
  const query = new URLSearchParams(location.search);
  return (
    <Stack direction="column" gap={4}>
      {!uid && (
        <Stack direction="row" gap={1} wrap="wrap">
          {boards.map((b) => (
            <LinkButton key={b.uid} variant="secondary" href={`/d/${b.uid}`}>
              {b.title}
            </LinkButton>
          ))}
        </Stack>
      )}
      {boards.map((b) => (
        <Board key={b.uid} board={b} query={query} />
      ))}
    </Stack>
  );
}

function Board({ board, query }: { board: Json; query: URLSearchParams }) {
  const styles = useStyles2(getStyles);
  const [ds, setDs] = useState<DataSourceApi>();
  const [values, setValues] = useState<Record<string, string>>();
  const [regions, setRegions] = useState<Region[]>();
  const [error, setError] = useState<string>();
  const range = rangeOf(query, board.time);
  useEffect(() => {
    (async () => {
      const source = await loadDatasource();
      setDs(source);
      // Variables in order, each from the URL or the first value its query returns.
      const resolved: Record<string, string> = {};
      for (const v of board.templating.list as Json[]) {
        Object.assign(vars, resolved);
        const wanted = query.get(`var-${v.name}`);
        if (v.type === 'datasource') {
          // Grafana's datasource variable: the datasources of its type, the first by default.
          const list: Array<{ uid: string; type: string }> = await (await fetch('/api/datasources')).json();
          const first = list.find((d) => d.type === v.query);
          if (!wanted && !first) {
            throw new Error(`no ${v.query} datasource for the ${v.name} variable`);
          }
          resolved[v.name] = wanted ?? first!.uid;
          continue;
        }
        if (v.type === 'custom') {
          // A fixed list (the workload kind): its current value, as Grafana starts it.
          resolved[v.name] =
            wanted ?? (v.includeAll ? v.allValue : String(v.current?.value ?? v.options?.[0]?.value ?? ''));
          continue;
        }
        const options = await source.metricFindQuery!(v.query.query, {});
        resolved[v.name] = wanted ?? (v.includeAll ? v.allValue : String(options[0]?.value ?? ''));
      }
      Object.assign(vars, resolved);
      // Annotation queries of the app's datasource, as regions (time → timeEnd).
      const found: Region[] = [];
      for (const a of (board.annotations?.list ?? []) as Json[]) {
        if (!a.enable || a.datasource?.type !== source.type) {
          continue;
        }
        const res: any = await lastValueFrom(source.query(request(`anno-${a.name}`, [a.target], range)) as never);
        if (res.errors?.length) {
          throw new Error(`annotation ${a.name}: ${res.errors.map((e: any) => e.message).join('; ')}`);
        }
        for (const f of res.data as DataFrame[]) {
          const col = (n: string) => f.fields.find((x) => x.name === n)?.values ?? [];
          col('time').forEach((t, i) =>
            found.push({ start: t, end: col('timeEnd')[i] ?? t, text: col('text')[i] ?? '' })
          );
        }
      }
      setRegions(found);
      setValues(resolved);
    })().catch((e: unknown) => setError(e instanceof Error ? e.message : JSON.stringify(e)));
  }, [board, query]);

  return (
    <section data-testid={`host-dashboard-${board.uid}`}>
      <Stack direction="column" gap={1}>
        <Text element="h2">{board.title}</Text>
        <Text color="secondary">{board.description}</Text>
        {error && <Alert title="Variables could not be resolved">{error}</Alert>}
        {values && (
          <Stack direction="row" gap={1}>
            {Object.entries(values).map(([k, v]) => (
              <Badge key={k} color="blue" text={`${k} = ${v === '__all' ? 'All' : v || '(none)'}`} />
            ))}
          </Stack>
        )}
        {ds && values && (
          <div className={styles.grid}>
            {(board.panels as Json[]).map((p) =>
              p.type === 'row' ? (
                <div key={p.id} className={styles.row} style={place(p.gridPos)}>
                  <Text element="h4">{p.title}</Text>
                </div>
              ) : (
                <Panel key={p.id} panel={p} ds={ds} values={values} regions={regions ?? []} range={range} />
              )
            )}
          </div>
        )}
      </Stack>
    </section>
  );
}

const place = (g: { x: number; y: number; w: number; h: number }) => ({
  gridColumn: `${g.x + 1} / span ${g.w}`,
  gridRow: `${g.y + 1} / span ${g.h}`,
});

function request(requestId: string, targets: Json[], range: ReturnType<typeof rangeOf>): DataQueryRequest {
  const intervalMs = Math.max(1000, Math.round((range.toMs - range.fromMs) / 1000));
  return {
    requestId,
    interval: `${Math.round(intervalMs / 1000)}s`,
    intervalMs,
    range: { from: dateTime(range.fromMs), to: dateTime(range.toMs), raw: range.raw },
    scopedVars: {},
    targets,
    timezone: 'browser',
    app: 'dashboard',
    startTime: range.toMs,
  } as unknown as DataQueryRequest;
}

function Panel(props: {
  panel: Json;
  ds: DataSourceApi;
  values: Record<string, string>;
  regions: Region[];
  range: ReturnType<typeof rangeOf>;
}) {
  const { panel, ds, values, regions, range } = props;
  const styles = useStyles2(getStyles);
  const [frames, setFrames] = useState<DataFrame[]>();
  const [error, setError] = useState<string>();
  const [ms, setMs] = useState<number>();
  const targets = panel.targets as Json[];
  // A panel reading Prometheus (alone or mixed) is drawn on a time axis with the regions.
  const timeAxis = targets.some(isProm);
  useEffect(() => {
    Object.assign(vars, values);
    const started = performance.now();
    const app = targets.filter((t) => !isProm(t));
    const prom = targets.filter(isProm) as unknown as PromTarget[];
    Promise.all([
      app.length > 0
        ? lastValueFrom(ds.query(request(`panel-${panel.id}`, app, range)) as never)
        : Promise.resolve({ data: [], errors: [] }),
      Promise.allSettled(prom.map((t) => queryPrometheus(t, vars, range.fromMs, range.toMs))),
    ])
      .then(([res, promRes]: [any, Array<PromiseSettledResult<DataFrame[]>>]) => {
        setMs(Math.round(performance.now() - started));
        const errs = (res.errors ?? []).map((e: any) => `${e.refId}: ${e.message}`);
        for (const r of promRes) {
          if (r.status === 'rejected') {
            errs.push(String(r.reason instanceof Error ? r.reason.message : r.reason));
          }
        }
        if (errs.length) {
          setError(errs.join('; '));
        }
        const promFrames = promRes.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
        setFrames([...promFrames, ...res.data.map((f: DataFrame) => keepFields(f, panel.transformations))]);
      })
      .catch((e: unknown) => setError(String(e)));
  }, [panel, ds, values]);
  const rows = timeAxis ? (frames ?? []).reduce((n, f) => n + f.length, 0) : (frames?.[0]?.length ?? 0);
  return (
    <div
      className={styles.panel}
      style={place(panel.gridPos)}
      data-testid={`host-panel-${panel.id}`}
      data-rows={rows}
      data-state={frames || error ? 'done' : 'loading'}
      data-ms={ms}
    >
      <Stack direction="row" justifyContent="space-between">
        <Text weight="medium" truncate>
          {panel.title}
        </Text>
        <Badge color="darkgrey" text={timeAxis ? `${panel.type} · ${panel.datasource?.uid}` : panel.type} />
      </Stack>
      {error && (
        <span data-testid="host-panel-error">
          <Text color="error">{error}</Text>
        </span>
      )}
      {!frames && !error && <LoadingPlaceholder text="" />}
      {frames && rows === 0 && !error && <Text color="secondary">No data</Text>}
      {frames &&
        rows > 0 &&
        (timeAxis ? (
          <TimeChart
            frames={frames}
            regions={regions}
            fromMs={range.fromMs}
            toMs={range.toMs}
            unit={panel.fieldConfig?.defaults?.unit}
          />
        ) : panel.type === 'timeseries' ? (
          <Lines frame={frames[0]} unit={panel.fieldConfig?.defaults?.unit} />
        ) : (
          <FrameTable frame={frames[0]} />
        ))}
    </div>
  );
}

function keepFields(frame: DataFrame, transformations: Json[] | undefined): DataFrame {
  const keep = transformations?.find((t) => t.id === 'filterFieldsByName')?.options?.include?.names as
    string[] | undefined;
  return keep ? { ...frame, fields: frame.fields.filter((f) => keep.includes(f.name)) } : frame;
}

function fmt(value: unknown, unit?: string): string {
  if (typeof value !== 'number') {
    return value === null || value === undefined ? '—' : String(value);
  }
  return formattedValueToString(getValueFormat(unit ?? 'short')(value, 2));
}

const COLORS = ['#73BF69', '#F2CC0C', '#FF9830', '#5794F2', '#B877D9', '#FF7383'];

function Lines({ frame, unit }: { frame: DataFrame; unit?: string }) {
  const time = frame.fields.find((f) => f.type === 'time');
  const series = frame.fields.filter((f) => f.type === 'number');
  const all = series.flatMap((f) => f.values.filter((v): v is number => typeof v === 'number'));
  const max = Math.max(1e-9, ...all);
  const n = frame.length;
  const W = 600;
  const H = 140;
  const x = (i: number) => (n <= 1 ? W / 2 : (i / (n - 1)) * W);
  const y = (v: number) => H - (v / max) * (H - 10) - 5;
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} preserveAspectRatio="none">
        {series.map((f, si) => (
          <polyline
            key={f.name}
            fill="none"
            stroke={COLORS[si % COLORS.length]}
            strokeWidth={2}
            strokeDasharray={/request|limit/.test(f.name) ? '8 5' : undefined}
            points={f.values
              .map((v, i) => (typeof v === 'number' ? `${x(i)},${y(v)}` : ''))
              .filter(Boolean)
              .join(' ')}
          />
        ))}
      </svg>
      <Stack direction="row" gap={2} wrap="wrap">
        {series.map((f, si) => (
          <Text key={f.name} variant="bodySmall">
            <span style={{ color: COLORS[si % COLORS.length] }}>■</span> {f.name}:{' '}
            {fmt(f.values[n - 1], f.config.unit ?? unit)}
          </Text>
        ))}
      </Stack>
      <Text variant="bodySmall" color="secondary">
        {time ? `${n} days` : ''}
      </Text>
    </div>
  );
}

function FrameTable({ frame }: { frame: DataFrame }) {
  const styles = useStyles2(getStyles);
  const n = Math.min(frame.length, 12);
  return (
    <table className={styles.table}>
      <thead>
        <tr>
          {frame.fields.map((f) => (
            <th key={f.name}>{f.name}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: n }, (_, i) => (
          <tr key={i}>
            {frame.fields.map((f) => (
              <td key={f.name}>
                {f.type === 'time' ? new Date(f.values[i]).toISOString().slice(0, 10) : fmt(f.values[i], f.config.unit)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({ display: 'grid', gridTemplateColumns: 'repeat(24, 1fr)', gridAutoRows: 30, gap: theme.spacing(1) }),
  row: css({ display: 'flex', alignItems: 'flex-end' }),
  panel: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    overflow: 'hidden',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  table: css({
    width: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.25, 0.5), textAlign: 'left', whiteSpace: 'nowrap' },
    th: { color: theme.colors.text.secondary },
  }),
});
