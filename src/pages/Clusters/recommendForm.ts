// The recommend and prices blocks of the cluster settings form, with the server's ranges
// (pkg/clustersettings): error keys are the JSON paths a 400 names in `field`.
import type { Prices, RecommendSettings } from '../../api/recommendTypes';
import { kindOf, withKind, workloadTarget, type WorkloadKind } from '../../api/workloadKind';

export interface RecommendOverrideForm {
  namespace: string;
  /** The workload's kind; not sent for a whole namespace. */
  kind: WorkloadKind;
  workload: string;
  cpuTarget: string;
  memTarget: string;
}

export interface RecommendForm {
  enabled: boolean;
  cpuTarget: string;
  memTarget: string;
  maxReplicas: string;
  maxStepDown: string;
  overrides: RecommendOverrideForm[];
}

export interface PricesForm {
  currency: string;
  cpuCoreHour: string;
  memGiBHour: string;
}

/** The control table's largest replica count (pkg/control MaxReplicas). */
const MAX_REPLICAS = 100000;
/** pkg/clustersettings MaxHourlyPrice. */
const MAX_HOURLY_PRICE = 1000;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function num(v: string): number | undefined {
  const s = v.trim();
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : undefined;
}

const validTarget = (v: string) => {
  const n = num(v);
  return n !== undefined && n > 0 && n <= 1;
};

export function formFromRecommend(r: RecommendSettings): RecommendForm {
  return {
    enabled: r.enabled,
    cpuTarget: String(r.cpuTarget),
    memTarget: String(r.memTarget),
    maxReplicas: String(r.maxReplicas),
    maxStepDown: String(r.maxStepDown),
    overrides: (r.overrides ?? []).map((o) => ({
      namespace: o.namespace,
      kind: kindOf(o),
      workload: o.workload ?? '',
      cpuTarget: String(o.cpuTarget),
      memTarget: String(o.memTarget),
    })),
  };
}

export function formFromPrices(p: Prices): PricesForm {
  return { currency: p.currency, cpuCoreHour: String(p.cpuCoreHour), memGiBHour: String(p.memGiBHour) };
}

const TARGET = 'Above 0 and at most 1 (0.7 = each pod may use 70% of its request at the peak)';

export function validateRecommend(f: RecommendForm, minReplicas: number, e: Record<string, string>) {
  if (!validTarget(f.cpuTarget)) {
    e['recommend.cpuTarget'] = TARGET;
  }
  if (!validTarget(f.memTarget)) {
    e['recommend.memTarget'] = TARGET;
  }
  const max = num(f.maxReplicas);
  const low = Number.isInteger(minReplicas) ? minReplicas : 0;
  if (max === undefined || !Number.isInteger(max) || max < low || max > MAX_REPLICAS) {
    e['recommend.maxReplicas'] = `A whole number from minReplicas (${low}) to ${MAX_REPLICAS}`;
  }
  const step = num(f.maxStepDown);
  if (step === undefined || step < 0 || step >= 1) {
    e['recommend.maxStepDown'] = 'From 0 (never cut) up to but not including 1 (0.5 = at most half the pods)';
  }
  const seen = new Set<string>();
  f.overrides.forEach((o, i) => {
    const path = `recommend.overrides[${i}]`;
    const ns = o.namespace.trim();
    const wl = o.workload.trim();
    const key = wl ? workloadTarget(ns, wl, o.kind) : ns;
    if (!DNS_LABEL.test(ns)) {
      e[`${path}.namespace`] = 'A namespace name';
    } else if (seen.has(key)) {
      e[`${path}.namespace`] = `${key} has two overrides`;
    }
    seen.add(key);
    if (wl && (!DNS_SUBDOMAIN.test(wl) || wl.length > 253)) {
      e[`${path}.workload`] = 'A workload name, or empty for the whole namespace';
    }
    if (!validTarget(o.cpuTarget)) {
      e[`${path}.cpuTarget`] = 'Above 0 and at most 1';
    }
    if (!validTarget(o.memTarget)) {
      e[`${path}.memTarget`] = 'Above 0 and at most 1';
    }
  });
}

export function validatePrices(f: PricesForm, e: Record<string, string>) {
  if (!/^[A-Z]{3}$/.test(f.currency.trim())) {
    e['prices.currency'] = 'A 3-letter ISO 4217 code in capitals, e.g. USD';
  }
  for (const k of ['cpuCoreHour', 'memGiBHour'] as const) {
    const n = num(f[k]);
    if (n === undefined || n < 0 || n > MAX_HOURLY_PRICE) {
      e[`prices.${k}`] = `A price per hour from 0 to ${MAX_HOURLY_PRICE}`;
    }
  }
}

export function toRecommend(f: RecommendForm): RecommendSettings {
  return {
    enabled: f.enabled,
    cpuTarget: Number(f.cpuTarget.trim()),
    memTarget: Number(f.memTarget.trim()),
    maxReplicas: Number(f.maxReplicas.trim()),
    maxStepDown: Number(f.maxStepDown.trim()),
    overrides: f.overrides.map((o) =>
      withKind(
        {
          namespace: o.namespace.trim(),
          workload: o.workload.trim(),
          cpuTarget: Number(o.cpuTarget.trim()),
          memTarget: Number(o.memTarget.trim()),
        },
        o.workload.trim() ? o.kind : undefined
      )
    ),
  };
}

export function toPrices(f: PricesForm): Prices {
  return {
    currency: f.currency.trim(),
    cpuCoreHour: Number(f.cpuCoreHour.trim()),
    memGiBHour: Number(f.memGiBHour.trim()),
  };
}
