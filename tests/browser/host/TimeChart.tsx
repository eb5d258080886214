// A time-axis line chart for panels that read Prometheus (the live dashboard): every number field
// of every frame on one axis over the range, the dashboard's annotation regions shaded. Legend
// entries carry their series' last value and how many points fall inside a region, so the browser
// run can check what is drawn without reading pixels.
import React from 'react';
import { type DataFrame, FieldType, formattedValueToString, getValueFormat } from '@grafana/data';
import { Stack, Text } from '@grafana/ui';

export interface Region {
  start: number;
  end: number;
  text: string;
}

interface Series {
  name: string;
  points: Array<[number, number | null]>;
}

const COLORS = ['#73BF69', '#F2CC0C', '#5794F2', '#B877D9', '#8AB8FF', '#96D98D'];
const W = 1000;
const H = 150;

function seriesOf(frames: DataFrame[]): Series[] {
  const out: Series[] = [];
  for (const f of frames) {
    const time = f.fields.find((x) => x.type === FieldType.time);
    for (const field of f.fields.filter((x) => x.type === FieldType.number)) {
      out.push({
        name: field.name,
        points: (time?.values ?? []).map((t, i) => [t as number, (field.values[i] as number | null) ?? null]),
      });
    }
  }
  return out;
}

function colorOf(name: string, i: number): string {
  if (name === 'limit (control table)' || name.startsWith('limit ')) {
    return '#F2495C';
  }
  if (name === 'request (control table)') {
    return '#FF9830';
  }
  return COLORS[i % COLORS.length];
}

export function TimeChart(props: {
  frames: DataFrame[];
  regions: Region[];
  fromMs: number;
  toMs: number;
  unit?: string;
}) {
  const { frames, regions, fromMs, toMs, unit } = props;
  const series = seriesOf(frames);
  const values = series.flatMap((s) => s.points.map(([, v]) => v).filter((v): v is number => v !== null));
  const max = Math.max(1e-9, ...values) * 1.1;
  const x = (t: number) => ((t - fromMs) / (toMs - fromMs)) * W;
  const y = (v: number) => H - (v / max) * (H - 10) - 5;
  // A null breaks the line (Grafana's spanNulls: false).
  const segments = (s: Series) => {
    const out: string[][] = [];
    let cur: string[] = [];
    for (const [t, v] of s.points) {
      if (v === null) {
        if (cur.length > 0) {
          out.push(cur);
        }
        cur = [];
        continue;
      }
      cur.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    }
    if (cur.length > 0) {
      out.push(cur);
    }
    return out;
  };
  const fmt = (v: number | null) =>
    v === null ? '—' : formattedValueToString(getValueFormat(unit === 'cores' ? 'short' : (unit ?? 'short'))(v, 3));
  const inRegion = (t: number) => regions.some((r) => t >= r.start && t <= r.end);
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} preserveAspectRatio="none">
        {regions.map((r) => (
          <rect
            key={r.start}
            data-testid="host-region"
            data-start={new Date(r.start).toISOString()}
            data-end={new Date(r.end).toISOString()}
            x={x(r.start)}
            y={0}
            width={Math.max(1, x(r.end) - x(r.start))}
            height={H}
            fill="rgba(255, 152, 48, 0.22)"
          >
            <title>{r.text}</title>
          </rect>
        ))}
        {series.map((s, si) =>
          segments(s).map((pts, k) => (
            <polyline
              key={`${s.name}-${k}`}
              data-series={s.name}
              fill="none"
              stroke={colorOf(s.name, si)}
              strokeWidth={s.name.endsWith('(control table)') ? 3 : 1.5}
              strokeDasharray={
                s.name.endsWith('(control table)') ? '4 4' : /^(request|limit) /.test(s.name) ? '10 6' : undefined
              }
              points={pts.join(' ')}
            />
          ))
        )}
      </svg>
      <Stack direction="row" justifyContent="space-between">
        <Text variant="bodySmall" color="secondary">
          {new Date(fromMs).toISOString().slice(0, 16).replace('T', ' ')} UTC
        </Text>
        <Text variant="bodySmall" color="secondary">
          {regions.length} peak window{regions.length === 1 ? '' : 's'} shaded
        </Text>
        <Text variant="bodySmall" color="secondary">
          {new Date(toMs).toISOString().slice(0, 16).replace('T', ' ')} UTC
        </Text>
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap">
        {series.map((s, si) => {
          const defined = s.points.filter(([, v]) => v !== null);
          const last = defined.length > 0 ? defined[defined.length - 1][1] : null;
          return (
            <span
              key={s.name}
              data-testid="host-series"
              data-name={s.name}
              data-last={last ?? ''}
              data-points={defined.length}
              data-in-region={defined.filter(([t]) => inRegion(t)).length}
            >
              <Text variant="bodySmall">
                <span style={{ color: colorOf(s.name, si) }}>■</span> {s.name}: {fmt(last)}
              </Text>
            </span>
          );
        })}
      </Stack>
    </div>
  );
}
