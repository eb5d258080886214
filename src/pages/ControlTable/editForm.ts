// Pure model of the control-table edit/add dialog: row → editable strings → validated request.
// Error keys are the backend's JSON paths (PUT body), so a 400's `field` lands on the same input.
import type { ContainerEdit, ContainerField, ControlCreate, ControlRow, ControlUpdate } from '../../api/types';
import { hasReplicas, kindOf, kindParam, replicasOf, type WorkloadKind } from '../../api/workloadKind';

export type ContainerNumberKey = 'cpuRequestMillis' | 'cpuLimitMillis' | 'memRequestMiB' | 'memLimitMiB';
export const CONTAINER_NUMBER_KEYS: readonly ContainerNumberKey[] = [
  'cpuRequestMillis',
  'cpuLimitMillis',
  'memRequestMiB',
  'memLimitMiB',
];

/** The `sources` / `resetToCollected` name of each value. */
export const FIELD_OF: Record<ContainerNumberKey, ContainerField> = {
  cpuRequestMillis: 'cpuRequest',
  cpuLimitMillis: 'cpuLimit',
  memRequestMiB: 'memRequest',
  memLimitMiB: 'memLimit',
};

export interface ContainerForm extends Record<ContainerNumberKey, string> {
  name: string;
  /** Values set by hand that the user hands back to the derivation. */
  reset?: ContainerNumberKey[];
}

export interface ControlForm {
  /** Only editable when adding. */
  namespace: string;
  workload: string;
  /** Only chosen when adding. */
  kind: WorkloadKind;
  /** Unused for a DaemonSet (no replicas). */
  replicasManual: string;
  containers: ContainerForm[];
}

/** The form edits replicas: not for a DaemonSet. */
export const hasReplicasForm = (form: Pick<ControlForm, 'kind'>) => hasReplicas(form.kind);

export type FormErrors = Record<string, string>;

export const containerKey = (i: number, key: ContainerNumberKey | 'name') => `containers[${i}].${key}`;

const str = (n: number | undefined) => (n === undefined ? '' : String(n));

export function formFromRow(row: ControlRow): ControlForm {
  return {
    namespace: row.namespace,
    workload: row.workload,
    kind: kindOf(row),
    replicasManual: str(replicasOf(row)?.manual),
    containers: (row.containers ?? []).map((c) => ({
      name: c.name,
      cpuRequestMillis: str(c.cpuRequestMillis),
      cpuLimitMillis: str(c.cpuLimitMillis),
      memRequestMiB: str(c.memRequestMiB),
      memLimitMiB: str(c.memLimitMiB),
    })),
  };
}

export function emptyForm(): ControlForm {
  return {
    namespace: '',
    workload: '',
    kind: 'Deployment',
    replicasManual: '1',
    containers: [{ name: 'app', cpuRequestMillis: '', cpuLimitMillis: '', memRequestMiB: '', memLimitMiB: '' }],
  };
}

// Kubernetes names: a namespace or container is a DNS-1123 label, a Deployment a DNS-1123 subdomain.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_REPLICAS = 100000;
const MAX_MILLIS = 1_000_000; // 1000 cores
const MAX_MIB = 16 * 1024 * 1024; // 16 TiB

/** An integer ≥ min written in decimal, or undefined. */
export function parseInteger(value: string, min: number, max: number): number | undefined {
  const v = value.trim();
  if (!/^-?\d+$/.test(v)) {
    return undefined;
  }
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** Validates for an edit (`adding` false) or an add; keys are JSON paths. */
export function validate(form: ControlForm, adding: boolean): FormErrors {
  const errors: FormErrors = {};
  if (adding) {
    if (!DNS_LABEL.test(form.namespace.trim())) {
      errors.namespace = 'A namespace name: lower-case letters, digits and "-", at most 63';
    }
    const wl = form.workload.trim();
    if (!DNS_SUBDOMAIN.test(wl) || wl.length > 253) {
      errors.workload = `A ${form.kind} name: lower-case letters, digits, "-" and ".", at most 253`;
    }
    if (form.containers.length === 0) {
      errors.containers = 'Name at least one container';
    }
  }
  const minReplicas = adding ? 0 : -1;
  if (hasReplicasForm(form) && parseInteger(form.replicasManual, minReplicas, MAX_REPLICAS) === undefined) {
    errors.replicasManual = adding
      ? `A whole number of replicas from 0 to ${MAX_REPLICAS}`
      : `A whole number from 0 to ${MAX_REPLICAS}, or -1 to follow the recommendation`;
  }
  const names = new Set<string>();
  form.containers.forEach((c, i) => {
    if (adding) {
      const name = c.name.trim();
      if (!DNS_LABEL.test(name)) {
        errors[containerKey(i, 'name')] = 'A container name: lower-case letters, digits and "-"';
      } else if (names.has(name)) {
        errors[containerKey(i, 'name')] = `Container "${name}" is named twice`;
      }
      names.add(name);
    }
    const values: Partial<Record<ContainerNumberKey, number>> = {};
    for (const key of CONTAINER_NUMBER_KEYS) {
      if (c.reset?.includes(key)) {
        continue;
      }
      const max = key.startsWith('cpu') ? MAX_MILLIS : MAX_MIB;
      const n = parseInteger(c[key], -1, max);
      // A limit of 0 would mean "nothing": limits are -1 (unset) or at least 1.
      const isLimit = key === 'cpuLimitMillis' || key === 'memLimitMiB';
      if (n === undefined || (adding && c[key].trim() === '')) {
        errors[containerKey(i, key)] = `A whole number up to ${max}, or -1 for unset`;
      } else if (isLimit && n === 0) {
        errors[containerKey(i, key)] = 'A limit is -1 (unset) or at least 1';
      } else {
        values[key] = n;
      }
    }
    checkRequestLimit(errors, i, 'cpuRequestMillis', 'cpuLimitMillis', values);
    checkRequestLimit(errors, i, 'memRequestMiB', 'memLimitMiB', values);
  });
  return errors;
}

function checkRequestLimit(
  errors: FormErrors,
  i: number,
  req: ContainerNumberKey,
  lim: ContainerNumberKey,
  v: Partial<Record<ContainerNumberKey, number>>
) {
  const r = v[req];
  const l = v[lim];
  if (r !== undefined && l !== undefined && r >= 0 && l >= 0 && r > l) {
    errors[containerKey(i, req)] = `The request (${r}) is above the limit (${l})`;
  }
}

/**
 * The PUT body: only what changed against `row` (omitted fields stay as they are). Undefined when
 * nothing changed.
 */
export function toUpdate(form: ControlForm, row: ControlRow): ControlUpdate | undefined {
  const update: ControlUpdate = { expectedVersion: row.version };
  let changed = false;
  const replicas = Number(form.replicasManual.trim());
  const current = replicasOf(row);
  if (current && hasReplicasForm(form) && replicas !== current.manual) {
    update.replicasManual = replicas;
    changed = true;
  }
  const containers: ContainerEdit[] = [];
  (row.containers ?? []).forEach((orig, i) => {
    const c = form.containers[i];
    if (!c) {
      return;
    }
    const edit: ContainerEdit = { name: orig.name };
    let any = false;
    for (const key of CONTAINER_NUMBER_KEYS) {
      if (c.reset?.includes(key)) {
        edit.resetToCollected = [...(edit.resetToCollected ?? []), FIELD_OF[key]];
        any = true;
        continue;
      }
      const n = Number(c[key].trim());
      if (n !== orig[key]) {
        edit[key] = n;
        any = true;
      }
    }
    if (any) {
      containers.push(edit);
    }
  });
  if (containers.length > 0) {
    update.containers = containers;
    changed = true;
  }
  return changed ? update : undefined;
}

/** The POST body of a new row. */
export function toCreate(form: ControlForm, cluster: string): ControlCreate {
  return {
    cluster,
    namespace: form.namespace.trim(),
    workload: form.workload.trim(),
    kind: kindParam(form.kind),
    // A DaemonSet's row has no replicas.
    ...(hasReplicasForm(form) ? { replicas: { manual: Number(form.replicasManual.trim()) } } : {}),
    containers: form.containers.map((c) => ({
      name: c.name.trim(),
      cpuRequestMillis: Number(c.cpuRequestMillis.trim()),
      cpuLimitMillis: Number(c.cpuLimitMillis.trim()),
      memRequestMiB: Number(c.memRequestMiB.trim()),
      memLimitMiB: Number(c.memLimitMiB.trim()),
    })),
  };
}

/**
 * Maps a backend `field` (PUT: `replicasManual`, `containers[0].cpuLimitMillis`; POST:
 * `replicas.manual`, …) to this form's error key. For a PUT, the backend's container index counts
 * the containers the body sent, not the row's, so it is mapped back through the body.
 */
export function formKeyOfField(field: string, sent?: ControlUpdate, row?: ControlRow): string {
  if (field === 'replicas.manual') {
    return 'replicasManual';
  }
  const m = /^containers\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (m && sent?.containers && row?.containers) {
    const name = sent.containers[Number(m[1])]?.name;
    const i = row.containers.findIndex((c) => c.name === name);
    if (i >= 0) {
      return m[2] ? `containers[${i}].${m[2]}` : `containers[${i}]`;
    }
  }
  return field;
}
