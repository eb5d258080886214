import React from 'react';
import { t } from '../i18n';
import { Badge, type BadgeColor, Field, RadioButtonGroup } from '@grafana/ui';

import { isWorkloadKind, kindOf, WORKLOAD_KINDS, type WorkloadKind } from '../api/workloadKind';
import { testIds } from './testIds';

const SHORT: Record<WorkloadKind, string> = { Deployment: 'Deploy', StatefulSet: 'STS', DaemonSet: 'DS' };
const COLOR: Record<WorkloadKind, BadgeColor> = { Deployment: 'blue', StatefulSet: 'purple', DaemonSet: 'orange' };

/** A workload's kind as a small badge ("Deploy", "STS", "DS"), the full name as tooltip; missing = Deployment. */
export function KindBadge({ kind }: { kind?: string | null }) {
  const k = kindOf({ kind });
  return (
    <span data-testid={testIds.kind.badge} aria-label={k}>
      <Badge text={SHORT[k]} color={COLOR[k]} tooltip={k} />
    </span>
  );
}

/** The kind of a workload an override names; disabled while the override is for a whole namespace. */
export function KindPicker({
  value,
  onChange,
  disabled,
  testId,
}: {
  value: WorkloadKind;
  onChange: (k: WorkloadKind) => void;
  disabled?: boolean;
  testId?: string;
}) {
  const options = WORKLOAD_KINDS.map((k) => ({ label: SHORT[k], value: k, description: k }));
  return (
    <div data-testid={testId}>
      <RadioButtonGroup size="sm" options={options} value={value} onChange={onChange} disabled={disabled} />
    </div>
  );
}

/** '' = every kind. */
export type KindFilterValue = WorkloadKind | '';

/** Reads a `kind` URL parameter: a known kind, else '' (all). */
export function kindFilterOf(v: string | null | undefined): KindFilterValue {
  return isWorkloadKind(v) ? v : '';
}

/** Rows of the filtered kind (a row without kind is a Deployment); all rows for ''. */
export function filterByKind<T extends { kind?: string | null }>(rows: T[], kind: KindFilterValue): T[] {
  return kind ? rows.filter((r) => kindOf(r) === kind) : rows;
}

/** All / Deployment / StatefulSet / DaemonSet, the same on every page that lists workloads. */
export function KindFilter({ value, onChange }: { value: KindFilterValue; onChange: (v: KindFilterValue) => void }) {
  const options = [
    { label: t('kind.all', 'All'), value: '' as KindFilterValue },
    ...WORKLOAD_KINDS.map((k) => ({ label: k, value: k as KindFilterValue })),
  ];
  return (
    <Field label={t('kind.filter', 'Kind')} noMargin>
      <div data-testid={testIds.kind.filter}>
        <RadioButtonGroup options={options} value={value} onChange={onChange} />
      </div>
    </Field>
  );
}
