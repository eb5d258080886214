// Pure model of the cluster settings form (docs/api.md ClusterSettings). Error keys are the JSON
// paths the backend names in a 400's `field`, so server and browser errors land on the same input.
import type { ClusterSettings, ClusterSettingsUpdate, DeriveMode } from '../../api/types';
import { kindOf, withKind, workloadTarget, type WorkloadKind } from '../../api/workloadKind';
import {
  formFromPrices,
  formFromRecommend,
  type PricesForm,
  type RecommendForm,
  toPrices,
  toRecommend,
  validatePrices,
  validateRecommend,
} from './recommendForm';

export interface OverrideForm {
  namespace: string;
  /** The workload's kind; not sent for a whole namespace. */
  kind: WorkloadKind;
  workload: string;
  start: string;
  end: string;
}

export interface SettingsForm {
  start: string;
  end: string;
  overrides: OverrideForm[];
  quantile: string;
  days: string;
  mode: DeriveMode;
  headroom: string;
  cpuFloorMillis: string;
  memFloorMiB: string;
  oomBump: boolean;
  minReplicas: string;
  retentionDays: string;
  collectEnabled: boolean;
  collectAt: string;
  collectConcurrency: string;
  collectTimeout: string;
  collectMinFoundRatio: string;
  /** Absent when the backend sent no recommend (resp. prices) block: an older backend. */
  recommend?: RecommendForm;
  prices?: PricesForm;
}

export type SettingsErrors = Record<string, string>;

export function formFromSettings(s: ClusterSettings): SettingsForm {
  return {
    start: s.peakWindow?.start ?? '',
    end: s.peakWindow?.end ?? '',
    overrides: (s.overrides ?? []).map((o) => ({
      namespace: o.namespace,
      kind: kindOf(o),
      workload: o.workload ?? '',
      start: o.peakWindow?.start ?? '',
      end: o.peakWindow?.end ?? '',
    })),
    quantile: String(s.quantile),
    days: String(s.days),
    mode: s.mode,
    headroom: String(s.headroom),
    cpuFloorMillis: String(s.cpuFloorMillis),
    memFloorMiB: String(s.memFloorMiB),
    oomBump: s.oomBump,
    minReplicas: String(s.minReplicas ?? 1),
    retentionDays: String(s.retentionDays),
    collectEnabled: s.collect?.enabled ?? false,
    collectAt: s.collect?.at ?? '',
    collectConcurrency: s.collect?.concurrency === undefined ? '' : String(s.collect.concurrency),
    collectTimeout: s.collect?.queryTimeoutSeconds === undefined ? '' : String(s.collect.queryTimeoutSeconds),
    collectMinFoundRatio: s.collect?.minFoundRatio === undefined ? '' : String(s.collect.minFoundRatio),
    recommend: s.recommend ? formFromRecommend(s.recommend) : undefined,
    prices: s.prices ? formFromPrices(s.prices) : undefined,
  };
}

/** The control table's largest replica count (pkg/control MaxReplicas). */
const MAX_REPLICAS = 100000;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function num(v: string): number | undefined {
  const s = v.trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) {
    return undefined;
  }
  return Number(s);
}

function int(v: string, min: number, max: number): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function checkWindow(errors: SettingsErrors, path: string, start: string, end: string) {
  if (!HHMM.test(start.trim())) {
    errors[`${path}.start`] = 'A time of day HH:MM, e.g. 10:00';
  }
  if (!HHMM.test(end.trim())) {
    errors[`${path}.end`] = 'A time of day HH:MM, e.g. 11:30';
  }
}

export function validateSettings(f: SettingsForm): SettingsErrors {
  const e: SettingsErrors = {};
  checkWindow(e, 'peakWindow', f.start, f.end);
  const seen = new Set<string>();
  f.overrides.forEach((o, i) => {
    const path = `overrides[${i}]`;
    const ns = o.namespace.trim();
    const wl = o.workload.trim();
    if (!DNS_LABEL.test(ns)) {
      e[`${path}.namespace`] = 'A namespace name';
    }
    if (wl && (!DNS_SUBDOMAIN.test(wl) || wl.length > 253)) {
      e[`${path}.workload`] = 'A workload name, or empty for the whole namespace';
    }
    const key = wl ? workloadTarget(ns, wl, o.kind) : ns;
    if (seen.has(key)) {
      e[`${path}.namespace`] = `${key} has two overrides`;
    }
    seen.add(key);
    checkWindow(e, `${path}.peakWindow`, o.start, o.end);
  });
  const q = num(f.quantile);
  if (q === undefined || q < 0.5 || q > 0.999) {
    e.quantile = 'From 0.5 to 0.999, e.g. 0.95';
  }
  if (int(f.days, 1, 90) === undefined) {
    e.days = 'A whole number of days from 1 to 90';
  }
  const h = num(f.headroom);
  if (h === undefined || h < 0 || h > 10) {
    e.headroom = 'From 0 to 10 (0.2 = 20% above the peak)';
  }
  if (int(f.cpuFloorMillis, 0, 100000) === undefined) {
    e.cpuFloorMillis = 'Whole millicores, 0 or more';
  }
  if (int(f.memFloorMiB, 0, 1048576) === undefined) {
    e.memFloorMiB = 'Whole MiB, 0 or more';
  }
  if (int(f.minReplicas, 0, MAX_REPLICAS) === undefined) {
    e.minReplicas = `A whole number of replicas from 0 to ${MAX_REPLICAS}`;
  }
  if (int(f.retentionDays, 30, 3650) === undefined) {
    e.retentionDays = 'A whole number of days from 30 to 3650';
  }
  if (!HHMM.test(f.collectAt.trim())) {
    e['collect.at'] = 'A time of day HH:MM, e.g. 01:00';
  }
  if (f.collectConcurrency.trim() && int(f.collectConcurrency, 1, 16) === undefined) {
    e['collect.concurrency'] = 'From 1 to 16 queries at once';
  }
  if (f.collectTimeout.trim() && int(f.collectTimeout, 5, 600) === undefined) {
    e['collect.queryTimeoutSeconds'] = 'From 5 to 600 seconds';
  }
  const ratio = num(f.collectMinFoundRatio);
  if (f.collectMinFoundRatio.trim() && (ratio === undefined || ratio < 0 || ratio > 1)) {
    e['collect.minFoundRatio'] = 'From 0 to 1, e.g. 0.5';
  }
  if (f.recommend) {
    validateRecommend(f.recommend, int(f.minReplicas, 0, MAX_REPLICAS) ?? 0, e);
  }
  if (f.prices) {
    validatePrices(f.prices, e);
  }
  return e;
}

/** The PUT body: the loaded settings with the form's values and the version they were read at. */
export function toSettingsUpdate(f: SettingsForm, loaded: ClusterSettings): ClusterSettingsUpdate {
  return {
    ...loaded,
    peakWindow: { start: f.start.trim(), end: f.end.trim() },
    overrides: f.overrides.map((o) =>
      withKind(
        {
          namespace: o.namespace.trim(),
          workload: o.workload.trim(),
          peakWindow: { start: o.start.trim(), end: o.end.trim() },
        },
        o.workload.trim() ? o.kind : undefined
      )
    ),
    quantile: Number(f.quantile.trim()),
    days: Number(f.days.trim()),
    mode: f.mode,
    headroom: Number(f.headroom.trim()),
    cpuFloorMillis: Number(f.cpuFloorMillis.trim()),
    memFloorMiB: Number(f.memFloorMiB.trim()),
    oomBump: f.oomBump,
    minReplicas: Number(f.minReplicas.trim()),
    retentionDays: Number(f.retentionDays.trim()),
    collect: {
      ...loaded.collect,
      enabled: f.collectEnabled,
      at: f.collectAt.trim(),
      ...(f.collectConcurrency.trim() ? { concurrency: Number(f.collectConcurrency.trim()) } : {}),
      ...(f.collectTimeout.trim() ? { queryTimeoutSeconds: Number(f.collectTimeout.trim()) } : {}),
      ...(f.collectMinFoundRatio.trim() ? { minFoundRatio: Number(f.collectMinFoundRatio.trim()) } : {}),
    },
    ...(f.recommend ? { recommend: toRecommend(f.recommend) } : {}),
    ...(f.prices ? { prices: toPrices(f.prices) } : {}),
    expectedVersion: loaded.version,
  };
}

/** Whether a window crosses midnight (end ≤ start), to say so next to it. */
export function crossesMidnight(start: string, end: string): boolean {
  return HHMM.test(start) && HHMM.test(end) && end <= start;
}
