import React from 'react';
import { t } from '../../i18n';
import { Badge, type CellProps, type Column, Drawer, InteractiveTable, Stack, Text } from '@grafana/ui';

import { getControlHistory } from '../../api/control';
import type { ControlReplicas, ControlRow, WorkloadRef } from '../../api/types';
import { kindOf, replicasOf } from '../../api/workloadKind';
import { Loadable } from '../../components/Loadable';
import { formatMiB, formatMillis, formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { BacktestSection } from './BacktestSection';
import { PolicySection } from './PolicySection';

interface Props {
  target: WorkloadRef;
  /** The row's replicas as the table shows them, for the recommendation and its reason. */
  replicas?: ControlReplicas;
  onClose: () => void;
}

interface Version {
  row: ControlRow;
  /** What differs from the version before it ("" for the first). */
  changed: string;
}

/** Every version of one control-table row, newest first, with what each changed. */
export function HistoryDrawer({ target, replicas, onClose }: Props) {
  const { state, reload } = useAsync(
    () => getControlHistory(target),
    [target.cluster, target.namespace, target.workload, target.kind]
  );
  return (
    <Drawer
      title={t('control.history.title', 'History of {{kind}} {{namespace}}/{{workload}}', {
        ...target,
        kind: kindOf(target),
      })}
      subtitle={target.cluster}
      onClose={onClose}
      size="lg"
    >
      <div data-testid={testIds.control.historyDrawer}>
        {replicas && <RecommendationSection replicas={replicas} />}
        <PolicySection target={target} />
        <BacktestSection target={target} />
        <Text element="h5">{t('control.history.versions', 'Versions in the control table')}</Text>
        <Loadable
          state={state}
          loadingText={t('control.history.loading', 'Loading the history...')}
          errorTitle={t('control.history.error', 'Could not load the history')}
          onRetry={reload}
        >
          {(data) => {
            const rows = data.items ?? [];
            if (rows.length === 0) {
              return <Text color="secondary">{t('control.history.empty', 'No versions recorded.')}</Text>;
            }
            return <VersionsTable versions={withChanges(rows)} />;
          }}
        </Loadable>
      </div>
    </Drawer>
  );
}

function RecommendationSection({ replicas: r }: { replicas: ControlReplicas }) {
  const hpa = r.recommendedFor === 'hpaMinReplicas';
  return (
    <div data-testid={testIds.control.recommendedReason}>
      <Text element="h5">{t('control.history.recommended', 'Recommended replicas')}</Text>
      <Stack direction="row" gap={1} alignItems="center">
        <Text weight="bold">
          {r.recommended >= 0
            ? hpa
              ? t('control.history.recommended-hpa', '{{n}} (HPA minReplicas)', { n: r.recommended })
              : String(r.recommended)
            : t('control.history.recommended-none', 'none')}
        </Text>
        {r.recommendedActive && <Badge text={t('control.recommended.active', 'active')} color="green" icon="check" />}
      </Stack>
      <Text color="secondary">{r.recommendedReason || t('control.recommended.no-reason', 'No recommendation')}</Text>
    </div>
  );
}

function VersionsTable({ versions }: { versions: Version[] }) {
  const columns: Array<Column<Version>> = [
    {
      id: 'version',
      header: t('control.history.version', 'Version'),
      cell: ({ row }: CellProps<Version>) => row.original.row.version,
    },
    {
      id: 'updated',
      header: t('control.history.when', 'When, by'),
      cell: ({ row }: CellProps<Version>) =>
        `${formatTime(row.original.row.updatedAt)} · ${row.original.row.updatedBy}`,
    },
    {
      id: 'replicas',
      header: t('control.history.replicas', 'Replicas'),
      cell: ({ row }: CellProps<Version>) => {
        const r = replicasOf(row.original.row);
        return r ? `${r.effective} (${r.source}; manual ${r.manual})` : '—';
      },
    },
    {
      id: 'containers',
      header: t('control.history.containers', 'Requests / limits'),
      cell: ({ row }: CellProps<Version>) => (
        <Stack direction="column" gap={0}>
          {(row.original.row.containers ?? []).map((c) => (
            <span key={c.name}>
              {`${c.name}: ${formatMillis(c.cpuRequestMillis)}/${formatMillis(c.cpuLimitMillis)} · ${formatMiB(c.memRequestMiB)}/${formatMiB(c.memLimitMiB)}`}
            </span>
          ))}
        </Stack>
      ),
    },
    {
      id: 'changed',
      header: t('control.history.changed', 'Changed'),
      cell: ({ row }: CellProps<Version>) =>
        row.original.row.deleted ? (
          <Badge text={t('control.history.deleted', 'removed from control')} color="red" />
        ) : (
          row.original.changed
        ),
    },
  ];
  return <InteractiveTable columns={columns} data={versions} getRowId={(v) => String(v.row.version)} />;
}

/** Pairs each version with a summary of what changed against the next older one. */
export function withChanges(newestFirst: ControlRow[]): Version[] {
  return newestFirst.map((row, i) => {
    const older = newestFirst[i + 1];
    return { row, changed: older ? describeChange(older, row) : t('control.history.created', 'created') };
  });
}

function describeChange(a: ControlRow, b: ControlRow): string {
  const parts: string[] = [];
  const ra = replicasOf(a);
  const rb = replicasOf(b);
  if (ra && rb) {
    if (ra.manual !== rb.manual) {
      parts.push(`manual replicas ${ra.manual} → ${rb.manual}`);
    }
    if (ra.recommended !== rb.recommended) {
      parts.push(`recommended ${ra.recommended} → ${rb.recommended}`);
    }
    if (ra.observed !== rb.observed) {
      parts.push(`observed ${ra.observed} → ${rb.observed}`);
    }
  }
  const before = new Map((a.containers ?? []).map((c) => [c.name, c]));
  for (const c of b.containers ?? []) {
    const o = before.get(c.name);
    if (!o) {
      parts.push(`container ${c.name} added`);
      continue;
    }
    const diffs: Array<[string, number, number, (n: number) => string]> = [
      ['cpu request', o.cpuRequestMillis, c.cpuRequestMillis, formatMillis],
      ['cpu limit', o.cpuLimitMillis, c.cpuLimitMillis, formatMillis],
      ['memory request', o.memRequestMiB, c.memRequestMiB, formatMiB],
      ['memory limit', o.memLimitMiB, c.memLimitMiB, formatMiB],
    ];
    for (const [label, x, y, fmt] of diffs) {
      if (x !== y) {
        parts.push(`${c.name} ${label} ${fmt(x)} → ${fmt(y)}`);
      }
    }
  }
  if (a.deleted && !b.deleted) {
    parts.push('back under control');
  }
  return parts.join('; ') || t('control.history.no-change', 'no value changed');
}
