// Runs the provisioned dashboards' queries through the app's REAL datasource module
// (dist/datasource/module.js) against the real backend, and draws each panel's frames simply:
// a line chart for time series, a table otherwise. Grafana's own panel plugins are not on npm,
// so this checks the data path (variables → datasource → backend → frames), not Grafana's looks.
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
import { createTemplateSrv } from './services';

type Json = Record<string, any>;

const vars: Record<string, string> = {};
setTemplateSrv(createTemplateSrv(() => vars));

const RANGE_DAYS = 30;

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
  const [error, setError] = useState<string>();
  useEffect(() => {
    (async () => {
      const source = await loadDatasource();
      setDs(source);
      // Variables in order, each from the URL or the first value its query returns.
      const resolved: Record<string, string> = {};
      for (const v of board.templating.list as Json[]) {
        Object.assign(vars, resolved);
        const wanted = query.get(`var-${v.name}`);
        if (v.type === 'custom') {
          // A fixed list (the workload kind): its current value, as Grafana starts it.
          resolved[v.name] =
            wanted ?? (v.includeAll ? v.allValue : String(v.current?.value ?? v.options?.[0]?.value ?? ''));
          continue;
        }
        const options = await source.metricFindQuery!(v.query.query, {});
        resolved[v.name] = wanted ?? (v.includeAll ? v.allValue : String(options[0]?.value ?? ''));
      }
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
                <Panel key={p.id} panel={p} ds={ds} values={values} />
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

function Panel({ panel, ds, values }: { panel: Json; ds: DataSourceApi; values: Record<string, string> }) {
  const styles = useStyles2(getStyles);
  const [frames, setFrames] = useState<DataFrame[]>();
  const [error, setError] = useState<string>();
  const [ms, setMs] = useState<number>();
  useEffect(() => {
    Object.assign(vars, values);
    const started = performance.now();
    const to = Date.now();
    const request = {
      requestId: `panel-${panel.id}`,
      interval: '1d',
      intervalMs: 86400000,
      range: {
        from: dateTime(to - RANGE_DAYS * 86400000),
        to: dateTime(to),
        raw: { from: `now-${RANGE_DAYS}d`, to: 'now' },
      },
      scopedVars: {},
      targets: panel.targets,
      timezone: 'browser',
      app: 'dashboard',
      startTime: to,
    } as unknown as DataQueryRequest;
    lastValueFrom(ds.query(request) as never)
      .then((res: any) => {
        setMs(Math.round(performance.now() - started));
        if (res.errors?.length) {
          setError(res.errors.map((e: any) => `${e.refId}: ${e.message}`).join('; '));
        }
        setFrames(res.data.map((f: DataFrame) => keepFields(f, panel.transformations)));
      })
      .catch((e: unknown) => setError(String(e)));
  }, [panel, ds, values]);
  const rows = frames?.[0]?.length ?? 0;
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
        <Badge color="darkgrey" text={panel.type} />
      </Stack>
      {error && <Text color="error">{error}</Text>}
      {!frames && !error && <LoadingPlaceholder text="" />}
      {frames && rows === 0 && !error && <Text color="secondary">No data</Text>}
      {frames &&
        rows > 0 &&
        (panel.type === 'timeseries' ? (
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
