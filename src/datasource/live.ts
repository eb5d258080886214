// Answers for the live workload dashboard → frames, as pure functions: the control table's
// request and limit of one workload as lines over the time range, and the cluster's peak window
// as annotation regions (docs/live-dashboard.md).
import { createDataFrame, type DataFrame, FieldType, type QueryResultMetaNotice } from '@grafana/data';

import type { ControlContainer, ControlRow } from '../api/types';
import type { KubeDoorQuery, LimitResource } from './types';

/** The time range a query is for, in Unix milliseconds. */
export interface Span {
  fromMs: number;
  toMs: number;
}

/** Field names of the control table's lines; the live panels style them by these. */
export const TABLE_REQUEST = 'request (control table)';
export const TABLE_LIMIT = 'limit (control table)';

const MIB = 1024 * 1024;

type Field = 'Request' | 'Limit';

/** The table's value in its own unit (millicores, MiB); below 0 when unset. */
function value(c: ControlContainer, resource: LimitResource, field: Field): number {
  if (resource === 'cpu') {
    return field === 'Request' ? c.cpuRequestMillis : c.cpuLimitMillis;
  }
  return field === 'Request' ? c.memRequestMiB : c.memLimitMiB;
}

/**
 * A pod's total of one field under the control table (cores or bytes): the sum over its
 * containers, or null with the containers that leave it unset (the webhook then keeps what the
 * workload sends, so the table alone does not say what the pod runs with).
 */
export function podTotal(
  row: ControlRow,
  resource: LimitResource,
  field: Field
): { total: number | null; unset: string[] } {
  const containers = row.containers ?? [];
  const unset = containers.filter((c) => value(c, resource, field) < 0).map((c) => c.name);
  if (containers.length === 0 || unset.length > 0) {
    return { total: null, unset };
  }
  // Summed in the table's whole units, then converted: 350m + 100m is exactly 0.45 cores.
  const sum = containers.reduce((acc, c) => acc + value(c, resource, field), 0);
  return { total: resource === 'cpu' ? sum / 1000 : sum * MIB, unset };
}

/**
 * GET v1/control/{cluster}/{namespace}/{workload} → the row's per-pod request and limit as two
 * constant lines over the range (its two ends), or no rows when `row` is undefined (the workload
 * is not in the table). A field the table leaves unset is drawn as no line, with a notice.
 */
export function controlLimitsFrame(q: KubeDoorQuery, row: ControlRow | undefined, span: Span): DataFrame {
  const resource = q.resource ?? 'cpu';
  const notices: QueryResultMetaNotice[] = [];
  const line = (field: Field) => {
    if (!row) {
      return [];
    }
    const { total, unset } = podTotal(row, resource, field);
    if (total === null) {
      notices.push({
        severity: 'info',
        text:
          unset.length > 0
            ? `The control table leaves the ${resource} ${field.toLowerCase()} of ${unset.join(', ')} unset: the workload keeps its own, so no table line is drawn.`
            : `The control row of ${row.workload} has no containers: no table line is drawn.`,
      });
    }
    return [total, total];
  };
  if (!row) {
    notices.push({ severity: 'info', text: `${q.workload ?? 'The workload'} is not in the control table.` });
  }
  const request = line('Request');
  const limit = line('Limit');
  return createDataFrame({
    refId: q.refId,
    name: 'Control table',
    meta: notices.length > 0 ? { notices } : undefined,
    fields: [
      { name: 'Time', type: FieldType.time, values: row ? [span.fromMs, span.toMs] : [] },
      { name: TABLE_REQUEST, type: FieldType.number, values: request },
      { name: TABLE_LIMIT, type: FieldType.number, values: limit },
    ],
  });
}

/** GET v1/clusters/{cluster}/peak-windows: a workload's peak window over a range. */
export interface PeakWindowsAnswer {
  cluster: string;
  timeZone: string;
  window: { start: string; end: string };
  /** Which setting gives the window: the workload's override, its namespace's, or the cluster's. */
  setOn: 'workload' | 'namespace' | 'cluster';
  items: Array<{ day: string; start: string; end: string }> | null;
}

/**
 * Peak windows → annotation regions: Grafana reads `time` and `timeEnd` (a region when they
 * differ), `title`, `text` and `tags`.
 */
export function peakWindowsFrame(q: KubeDoorQuery, body: PeakWindowsAnswer): DataFrame {
  const items = body.items ?? [];
  const text = `Peak window ${body.window.start}–${body.window.end} ${body.timeZone} (the ${body.setOn}'s setting)`;
  return createDataFrame({
    refId: q.refId,
    name: 'Peak windows',
    fields: [
      { name: 'time', type: FieldType.time, values: items.map((i) => Date.parse(i.start)) },
      { name: 'timeEnd', type: FieldType.time, values: items.map((i) => Date.parse(i.end)) },
      { name: 'title', type: FieldType.string, values: items.map((i) => `Peak window of ${i.day}`) },
      { name: 'text', type: FieldType.string, values: items.map(() => text) },
      { name: 'tags', type: FieldType.string, values: items.map(() => 'kubedoor,peak-window') },
    ],
  });
}
