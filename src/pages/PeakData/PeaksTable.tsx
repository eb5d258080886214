import React, { useMemo } from 'react';
import { t } from '../../i18n';
import { Badge, type CellProps, type Column, InteractiveTable, Stack, Text, Tooltip } from '@grafana/ui';

import type { PeakRow } from '../../api/types';
import {
  formatBytes,
  formatCores,
  formatPercent,
  formatRatio,
  usageOfRequest,
  WASTE_BELOW,
} from '../../components/format';
import { testIds } from '../../components/testIds';
import { KindBadge } from '../../components/WorkloadKind';

interface Props {
  rows: PeakRow[];
  /** Show kind/namespace/workload columns (the per-day view); the per-workload view hides them. */
  showWorkload: boolean;
}

type Cell = CellProps<PeakRow>;

export const rowId = (r: PeakRow) => `${r.day}/${r.namespace}/${r.kind ?? 'Deployment'}/${r.workload}/${r.container}`;

/** Peak rows with each request set against the P95 that was really used; waste is flagged. */
export function PeaksTable({ rows, showWorkload }: Props) {
  const columns = useMemo(() => buildColumns(showWorkload), [showWorkload]);
  return (
    <div data-testid={testIds.peaks.table}>
      <InteractiveTable columns={columns} data={rows} getRowId={rowId} />
    </div>
  );
}

function buildColumns(showWorkload: boolean): Array<Column<PeakRow>> {
  const cols: Array<Column<PeakRow>> = [{ id: 'day', header: t('peaks.col.day', 'Day'), sortType: 'string' }];
  if (showWorkload) {
    cols.push(
      {
        id: 'kind',
        header: t('peaks.col.kind', 'Kind'),
        sortType: 'string',
        cell: ({ row }: Cell) => <KindBadge kind={row.original.kind} />,
      },
      { id: 'namespace', header: t('peaks.col.namespace', 'Namespace'), sortType: 'string' },
      { id: 'workload', header: t('peaks.col.workload', 'Workload'), sortType: 'string' }
    );
  }
  cols.push(
    {
      id: 'container',
      header: t('peaks.col.container', 'Container'),
      sortType: 'string',
      cell: ({ row }: Cell) =>
        row.original.container === '' ? (
          <Text color="secondary" italic>
            {t('peaks.pod-total', 'pod total')}
          </Text>
        ) : (
          row.original.container
        ),
    },
    {
      id: 'podsMin',
      header: t('peaks.col.pods', 'Pods'),
      sortType: 'number',
      cell: ({ row }: Cell) => {
        const r = row.original;
        const ready = r.podsMin === r.podsMax ? String(r.podsMin) : `${r.podsMin}–${r.podsMax}`;
        // Ready pods dip during rollouts; what the workload was sized to is the desired count (none for DaemonSets).
        return r.replicasDesired === null || r.replicasDesired === undefined
          ? ready
          : t('peaks.pods-desired', '{{ready}} (desired {{desired}})', { ready, desired: r.replicasDesired });
      },
    },
    {
      id: 'cpuMax',
      header: t('peaks.col.cpu', 'CPU P95 (worst / avg pod)'),
      sortType: 'number',
      cell: ({ row }: Cell) => `${formatCores(row.original.cpuMax)} / ${formatCores(row.original.cpuAvg)}`,
    },
    {
      id: 'cpuRequest',
      header: t('peaks.col.cpu-request', 'CPU request / limit'),
      sortType: 'number',
      cell: ({ row }: Cell) => `${formatCores(row.original.cpuRequest)} / ${formatCores(limit(row.original.cpuLimit))}`,
    },
    {
      id: 'cpuUse',
      header: t('peaks.col.cpu-use', 'CPU used of request'),
      cell: ({ row }: Cell) => <UseOfRequest usage={row.original.cpuMax} request={row.original.cpuRequest} />,
    },
    {
      id: 'memMax',
      header: t('peaks.col.mem', 'Memory P95 (worst / avg pod)'),
      sortType: 'number',
      cell: ({ row }: Cell) => `${formatBytes(row.original.memMax)} / ${formatBytes(row.original.memAvg)}`,
    },
    {
      id: 'memRequest',
      header: t('peaks.col.mem-request', 'Memory request / limit'),
      sortType: 'number',
      cell: ({ row }: Cell) => `${formatBytes(row.original.memRequest)} / ${formatBytes(limit(row.original.memLimit))}`,
    },
    {
      id: 'memUse',
      header: t('peaks.col.mem-use', 'Memory used of request'),
      cell: ({ row }: Cell) => <UseOfRequest usage={row.original.memMax} request={row.original.memRequest} />,
    },
    {
      id: 'cpuPctOfLimit',
      header: t('peaks.col.of-limit', 'CPU / memory of limit'),
      sortType: 'number',
      cell: ({ row }: Cell) =>
        `${formatPercent(row.original.cpuPctOfLimit)} / ${formatPercent(row.original.memPctOfLimit)}`,
    },
    {
      id: 'throttlingRatio',
      header: t('peaks.col.throttling', 'Throttled'),
      sortType: 'number',
      cell: ({ row }: Cell) => formatRatio(row.original.throttlingRatio),
    },
    {
      id: 'oomKills',
      header: t('peaks.col.oom', 'OOM kills'),
      sortType: 'number',
      cell: ({ row }: Cell) =>
        row.original.oomKills > 0 ? <Badge text={String(row.original.oomKills)} color="red" /> : '0',
    }
  );
  return cols;
}

/** A limit of 0 is no limit (a container without one adds nothing to its pod's total). */
const limit = (v: number) => (v > 0 ? v : -1);

/**
 * Usage as a share of the request: below WASTE_BELOW is waste (orange), above 100% means the
 * request is too small (red).
 */
export function UseOfRequest({ usage, request }: { usage: number; request: number }) {
  const ratio = usageOfRequest(usage, request);
  if (ratio === undefined) {
    return <Text color="secondary">—</Text>;
  }
  const pct = formatRatio(ratio);
  if (ratio < WASTE_BELOW) {
    return (
      <Tooltip
        content={t('peaks.waste.tip', '{{pct}} of the request was used at the peak: the rest is reserved for nothing', {
          pct,
        })}
      >
        <span data-testid={testIds.peaks.waste}>
          <Badge text={t('peaks.waste', '{{pct}} · waste', { pct })} color="orange" />
        </span>
      </Tooltip>
    );
  }
  if (ratio > 1) {
    return (
      <Tooltip
        content={t('peaks.under.tip', 'The peak used more than the request: the scheduler under-counts this workload')}
      >
        <span data-testid={testIds.peaks.under}>
          <Badge text={t('peaks.under', '{{pct}} · above request', { pct })} color="red" />
        </span>
      </Tooltip>
    );
  }
  return (
    <Stack direction="row">
      <Text>{pct}</Text>
    </Stack>
  );
}
