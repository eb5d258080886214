import React from 'react';
import { t } from '../../i18n';
import {
  Badge,
  type BadgeColor,
  type CellProps,
  Checkbox,
  type Column,
  Icon,
  IconButton,
  LinkButton,
  Stack,
  Text,
  Tooltip,
} from '@grafana/ui';

import { DASHBOARDS, dashboardUrl } from '../../constants';
import type { ControlContainer, ControlRow, ObservedFrom, ReplicasSource } from '../../api/types';
import { kindOf, replicasOf, type WorkloadKind, workloadTarget } from '../../api/workloadKind';
import { formatAgo, formatMiB, formatMillis } from '../../components/format';
import { resizeIds } from './ResizeDialog';
import { testIds } from '../../components/testIds';
import { KindBadge } from '../../components/WorkloadKind';
import { hasRecommendation, NoReplicas, RecommendedCell } from './RecommendedCell';

/** A control row flattened for sorting. */
export interface TableRow {
  key: string;
  row: ControlRow;
  namespace: string;
  workload: string;
  kind: WorkloadKind;
  /** -1 where there are none (DaemonSets), so they sort first. */
  replicas: number;
  recommended: number;
  cpuRequest: number;
  memRequest: number;
  peakDay: string;
  updatedAt: string;
}

/** A row's identity: a StatefulSet may share a Deployment's namespace and name. */
export const rowKey = (r: { namespace: string; workload: string; kind?: string }) =>
  workloadTarget(r.namespace, r.workload, r.kind);

export function toTableRows(rows: ControlRow[]): TableRow[] {
  return rows.map((row) => {
    const first = row.containers?.[0];
    const r = replicasOf(row);
    return {
      key: rowKey(row),
      row,
      namespace: row.namespace,
      workload: row.workload,
      kind: kindOf(row),
      replicas: r?.effective ?? -1,
      recommended: r?.recommended ?? -1,
      cpuRequest: first?.cpuRequestMillis ?? -1,
      memRequest: first?.memRequestMiB ?? -1,
      peakDay: row.peakDay,
      updatedAt: row.updatedAt,
    };
  });
}

const SOURCE_COLOR: Record<ReplicasSource, BadgeColor> = {
  manual: 'purple',
  recommended: 'blue',
  observed: 'darkgrey',
  none: 'orange',
};

export interface ColumnHandlers {
  canWrite: boolean;
  selected: Set<string>;
  toggle: (key: string) => void;
  onEdit: (row: ControlRow) => void;
  onHistory: (row: ControlRow) => void;
  onPods: (row: ControlRow) => void;
  onRemove: (row: ControlRow) => void;
  onAccept: (row: ControlRow) => void;
  /** "Apply now (in place)"; absent: no button. */
  onResize?: (row: ControlRow) => void;
}

type Cell = CellProps<TableRow>;

export function buildColumns(h: ColumnHandlers): Array<Column<TableRow>> {
  const columns: Array<Column<TableRow>> = [];
  if (h.canWrite) {
    columns.push({
      id: 'select',
      header: '',
      disableGrow: true,
      cell: ({ row }: Cell) => (
        <Checkbox
          data-testid={testIds.control.select(row.original.namespace, row.original.workload, row.original.kind)}
          aria-label={t('control.select-row', 'Select {{target}}', { target: row.original.key })}
          value={h.selected.has(row.original.key)}
          onChange={() => h.toggle(row.original.key)}
        />
      ),
    });
  }
  columns.push(
    { id: 'namespace', header: t('control.col.namespace', 'Namespace'), sortType: 'string' },
    {
      id: 'kind',
      header: t('control.col.kind', 'Kind'),
      sortType: 'string',
      cell: ({ row }: Cell) => <KindBadge kind={row.original.kind} />,
    },
    {
      id: 'workload',
      header: t('control.col.workload', 'Workload'),
      sortType: 'string',
      cell: ({ row }: Cell) => (
        <span data-testid={testIds.control.row(row.original.namespace, row.original.workload, row.original.kind)}>
          {row.original.workload}
        </span>
      ),
    },
    {
      id: 'replicas',
      header: t('control.col.replicas', 'Replicas'),
      sortType: 'number',
      cell: ({ row }: Cell) => <ReplicasCell row={row.original.row} />,
    },
    {
      id: 'recommended',
      header: t('control.col.recommended', 'Recommended'),
      sortType: 'number',
      cell: ({ row }: Cell) => <RecommendedCell row={row.original.row} />,
    },
    {
      id: 'cpuRequest',
      header: t('control.col.cpu', 'CPU request / limit'),
      sortType: 'number',
      cell: ({ row }: Cell) => <ContainerValues row={row.original.row} render={(c) => <Pair c={c} kind="cpu" />} />,
    },
    {
      id: 'memRequest',
      header: t('control.col.memory', 'Memory request / limit'),
      sortType: 'number',
      cell: ({ row }: Cell) => <ContainerValues row={row.original.row} render={(c) => <Pair c={c} kind="mem" />} />,
    },
    { id: 'peakDay', header: t('control.col.peak-day', 'Peak day'), sortType: 'string' },
    {
      id: 'updatedAt',
      header: t('control.col.updated', 'Updated'),
      sortType: 'string',
      cell: ({ row }: Cell) => (
        <Stack direction="row" gap={0.5} alignItems="center">
          <Text variant="bodySmall">{`${formatAgo(row.original.row.updatedAt)} · ${row.original.row.updatedBy}`}</Text>
          {(row.original.row.notes ?? []).length > 0 && (
            <Tooltip content={(row.original.row.notes ?? []).join('; ')}>
              <Icon name="exclamation-triangle" aria-label={t('control.notes', 'Notes')} />
            </Tooltip>
          )}
        </Stack>
      ),
    },
    {
      id: 'actions',
      header: '',
      disableGrow: true,
      cell: ({ row }: Cell) => {
        const { namespace, workload, kind } = row.original;
        return (
          <Stack direction="row" gap={0.5}>
            {h.canWrite && hasRecommendation(row.original.row) && (
              <IconButton
                name="check-circle"
                data-testid={testIds.control.accept(namespace, workload, kind)}
                tooltip={t('control.action.accept', 'Accept the recommended replicas')}
                onClick={() => h.onAccept(row.original.row)}
              />
            )}
            {h.canWrite && (
              <IconButton
                name="pen"
                data-testid={testIds.control.edit(namespace, workload, kind)}
                tooltip={
                  kind === 'DaemonSet'
                    ? t('control.action.edit-ds', 'Edit or restart')
                    : t('control.action.edit', 'Edit, scale or restart')
                }
                onClick={() => h.onEdit(row.original.row)}
              />
            )}
            {h.canWrite && h.onResize && (
              <IconButton
                name="bolt"
                data-testid={resizeIds.open(namespace, workload, kind)}
                tooltip={t('control.action.resize', 'Apply now (in place)')}
                onClick={() => h.onResize?.(row.original.row)}
              />
            )}
            <IconButton
              name="cube"
              data-testid={testIds.control.pods(namespace, workload, kind)}
              tooltip={t('control.action.pods', 'Pods')}
              onClick={() => h.onPods(row.original.row)}
            />
            <LinkButton
              icon="chart-line"
              size="sm"
              fill="text"
              variant="secondary"
              data-testid={testIds.control.live(namespace, workload, kind)}
              tooltip={t('control.action.live', 'Live usage (Prometheus)')}
              aria-label={t('control.action.live', 'Live usage (Prometheus)')}
              href={dashboardUrl(DASHBOARDS.live, { cluster: row.original.row.cluster, namespace, kind, workload })}
            />
            <IconButton
              name="history"
              data-testid={testIds.control.history(namespace, workload, kind)}
              tooltip={t('control.action.history', 'History')}
              onClick={() => h.onHistory(row.original.row)}
            />
            {h.canWrite && (
              <IconButton
                name="trash-alt"
                data-testid={testIds.control.remove(namespace, workload, kind)}
                tooltip={t('control.action.remove', 'Remove from control')}
                onClick={() => h.onRemove(row.original.row)}
              />
            )}
          </Stack>
        );
      },
    }
  );
  return columns;
}

/** What each observed statistic means, for the replicas tooltip. */
function observedFromText(from: ObservedFrom | undefined): string {
  switch (from) {
    case 'desired':
      return t('control.observed-from.desired', "the workload's desired replicas at the peak");
    case 'ready-median':
      return t('control.observed-from.ready-median', 'the median of its Ready pods (no desired-replicas series)');
    case 'ready-max':
      return t('control.observed-from.ready-max', 'the most Ready pods (collected before desired replicas were kept)');
    case 'floor':
      return t('control.observed-from.floor', "the cluster's minReplicas floor");
    default:
      return '';
  }
}

function ReplicasCell({ row }: { row: ControlRow }) {
  const r = replicasOf(row);
  if (!r) {
    return <NoReplicas row={row} />;
  }
  const from = observedFromText(r.observedFrom);
  let tip = t('control.replicas.tip', 'manual {{manual}} · recommended {{recommended}} · observed {{observed}}', {
    manual: r.manual,
    recommended: r.recommended,
    observed: r.observed,
  });
  if (from) {
    tip += t('control.replicas.tip-from', ' (from {{from}})', { from });
  }
  // The floor's note says what the statistic gave before the floor raised it.
  const floorNote = (row.notes ?? []).find((n) => n.includes('minReplicas'));
  const floored = r.observedFrom === 'floor';
  return (
    <Tooltip content={floored && floorNote ? `${tip}. ${floorNote}` : tip}>
      <Stack direction="row" gap={1} alignItems="center">
        <Text weight="bold">{String(r.effective)}</Text>
        <Badge text={r.source} color={SOURCE_COLOR[r.source] ?? 'darkgrey'} />
        {floored && (
          <span data-testid={testIds.control.replicasFloor(row.namespace, row.workload, row.kind)}>
            <Badge text={t('control.replicas.floor', 'min floor')} color="orange" icon="arrow-up" />
          </span>
        )}
      </Stack>
    </Tooltip>
  );
}

function ContainerValues({ row, render }: { row: ControlRow; render: (c: ControlContainer) => React.ReactNode }) {
  const containers = row.containers ?? [];
  return (
    <Stack direction="column" gap={0}>
      {containers.map((c) => (
        <span key={c.name}>
          {containers.length > 1 && <Text color="secondary" variant="bodySmall">{`${c.name} `}</Text>}
          {render(c)}
        </span>
      ))}
    </Stack>
  );
}

function Pair({ c, kind }: { c: ControlContainer; kind: 'cpu' | 'mem' }) {
  const [req, lim] =
    kind === 'cpu'
      ? [formatMillis(c.cpuRequestMillis), formatMillis(c.cpuLimitMillis)]
      : [formatMiB(c.memRequestMiB), formatMiB(c.memLimitMiB)];
  const [reqSrc, limSrc] =
    kind === 'cpu' ? [c.sources?.cpuRequest, c.sources?.cpuLimit] : [c.sources?.memRequest, c.sources?.memLimit];
  const mark = (src: string | undefined) =>
    src === 'manual' ? (
      <Tooltip content={t('control.source.manual', 'Set by hand; collections do not change it')}>
        <Icon name="pen" size="xs" />
      </Tooltip>
    ) : null;
  return (
    <span>
      {req}
      {mark(reqSrc)} / {lim}
      {mark(limSrc)}
    </span>
  );
}
