// PromQL targets of a dashboard run against the REAL Prometheus through the devhost's datasource
// proxy (Grafana's /api/datasources/proxy/uid/<uid>/…), turned into one frame per series. Grafana's
// own Prometheus datasource is not on npm, so this does the small part of its work a panel needs:
// the interval variables, `:regex` escaping, query_range and legend templates.
import { createDataFrame, type DataFrame, FieldType } from '@grafana/data';

/** Grafana's default scrape interval, which $__rate_interval is built from. */
const SCRAPE_SECONDS = 15;
/** About one point per pixel of a ~1000 px wide panel, as Grafana's max data points. */
const MAX_POINTS = 1000;

export interface PromTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { uid?: string };
}

/** The query step and Grafana's $__rate_interval for a range: max(step + scrape, 4 × scrape). */
export function intervals(fromMs: number, toMs: number): { step: number; rate: number } {
  const step = Math.max(SCRAPE_SECONDS, Math.ceil((toMs - fromMs) / 1000 / MAX_POINTS));
  return { step, rate: Math.max(step + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS) };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The expression with the range's intervals and the dashboard's variables put in. */
export function interpolate(expr: string, vars: Record<string, string>, fromMs: number, toMs: number): string {
  const { step, rate } = intervals(fromMs, toMs);
  return expr
    .replace(/\$__rate_interval/g, `${rate}s`)
    .replace(/\$__interval/g, `${step}s`)
    .replace(/\$\{(\w+):regex\}/g, (m, name) => (name in vars ? escapeRegex(vars[name]) : m))
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => vars[a ?? b] ?? m);
}

interface Matrix {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/** Runs one target over the range; each series becomes a frame [Time, <legend>]. */
export async function queryPrometheus(
  t: PromTarget,
  vars: Record<string, string>,
  fromMs: number,
  toMs: number
): Promise<DataFrame[]> {
  const uid = interpolate(t.datasource?.uid ?? '', vars, fromMs, toMs);
  const { step } = intervals(fromMs, toMs);
  const params = new URLSearchParams({
    query: interpolate(t.expr, vars, fromMs, toMs),
    start: String(Math.floor(fromMs / 1000)),
    end: String(Math.ceil(toMs / 1000)),
    step: String(step),
  });
  const res = await fetch(`/api/datasources/proxy/uid/${encodeURIComponent(uid)}/api/v1/query_range?${params}`);
  const body = (await res.json()) as Matrix;
  if (!res.ok || body.status !== 'success' || !body.data) {
    throw new Error(`${t.refId}: Prometheus answered ${res.status}: ${body.error ?? 'no data'}`);
  }
  return body.data.result.map((s) => {
    const name = (t.legendFormat ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, l) => s.metric[l] ?? '') || t.expr;
    // A step without a sample is a null, as Grafana's Prometheus datasource fills it: the line
    // breaks there instead of joining the samples on either side.
    const times: number[] = [];
    const values: Array<number | null> = [];
    for (const [ts, v] of s.values) {
      const prev = times[times.length - 1];
      if (prev !== undefined && ts * 1000 - prev > step * 1000) {
        times.push(prev + step * 1000);
        values.push(null);
      }
      times.push(ts * 1000);
      values.push(Number(v));
    }
    return createDataFrame({
      refId: t.refId,
      name,
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        { name, type: FieldType.number, values },
      ],
    });
  });
}
