import React from 'react';
import { Badge, type CellProps, type Column, InteractiveTable, Stack, Text, Tooltip } from '@grafana/ui';

import type { NodeLine } from '../../api/nodeTypes';
import { formatBytes, formatMillis, formatRatio } from '../../components/format';
import { testIds } from '../../components/testIds';
import { t } from '../../i18n';
import { CapacityBars } from './NodeBars';

export type NodeSort = 'requested' | 'peak' | 'name';

const cpu = (m: number) => formatMillis(m);
const mem = (b: number) => formatBytes(b);

/** Orders nodes by the chosen rank (1 first; nodes without allocatable, rank 0, last) or by name. */
export function sortNodes(nodes: NodeLine[], by: NodeSort): NodeLine[] {
  const rankOf = (n: NodeLine) => (by === 'requested' ? n.rankRequested : n.rankPeak) || Number.MAX_SAFE_INTEGER;
  return [...nodes].sort((a, b) =>
    by === 'name' ? a.name.localeCompare(b.name) : rankOf(a) - rankOf(b) || a.name.localeCompare(b.name)
  );
}

/** The drain estimate of one node, in words. */
export function drainText(n: NodeLine): string {
  const d = n.drain;
  if (!d.possible) {
    return t('nodes.drain.unknown', 'not judged (no allocatable)');
  }
  if (d.movablePods === 0) {
    return t('nodes.drain.empty', 'nothing to move');
  }
  if (d.tableFreesNode) {
    return t('nodes.drain.table', 'drainable under the table ({{n}} pods)', { n: d.movablePods });
  }
  if (d.now) {
    return t('nodes.drain.now', 'drainable now ({{n}} pods)', { n: d.movablePods });
  }
  return t('nodes.drain.no', '{{unplaced}} of {{n}} pods find no room', {
    unplaced: d.unplacedTable,
    n: d.movablePods,
  });
}

type Cell = CellProps<NodeLine>;

/** One row per node: the bars against allocatable, unused at the peak, pods, ranks and the drain estimate. */
export function NodeTable({ nodes }: { nodes: NodeLine[] }) {
  const columns: Array<Column<NodeLine>> = [
    {
      id: 'name',
      header: t('nodes.col.node', 'Node'),
      cell: ({ row: { original: n } }: Cell) => (
        <Stack direction="column" gap={0.5}>
          <span data-testid={testIds.nodes.row(n.name)}>
            <Text weight="medium">{n.name}</Text>
          </span>
          <Stack direction="row" gap={0.5}>
            {n.unschedulable && <Badge color="orange" text={t('nodes.cordoned', 'cordoned')} />}
            {!n.hasAllocatable && <Badge color="red" text={t('nodes.no-allocatable', 'no allocatable')} />}
          </Stack>
          <Text variant="bodySmall" color="secondary">
            {n.hasAllocatable
              ? t('nodes.allocatable', '{{cpu}} · {{mem}} allocatable', {
                  cpu: cpu(n.allocatable.cpuMillis),
                  mem: mem(n.allocatable.memBytes),
                })
              : t('nodes.allocatable-none', 'reports no allocatable')}
          </Text>
        </Stack>
      ),
    },
    {
      id: 'cpu',
      header: t('nodes.col.cpu', 'CPU'),
      cell: ({ row: { original: n } }: Cell) => (
        <CapacityBars
          testId={testIds.nodes.cpu(n.name)}
          allocatable={n.allocatable.cpuMillis}
          requested={n.requested.cpuMillis}
          table={n.table.cpuMillis}
          peak={n.peak.cpuMillis}
          format={cpu}
        />
      ),
    },
    {
      id: 'mem',
      header: t('nodes.col.mem', 'Memory'),
      cell: ({ row: { original: n } }: Cell) => (
        <CapacityBars
          testId={testIds.nodes.mem(n.name)}
          allocatable={n.allocatable.memBytes}
          requested={n.requested.memBytes}
          table={n.table.memBytes}
          peak={n.peak.memBytes}
          format={mem}
        />
      ),
    },
    {
      id: 'unused',
      header: t('nodes.col.unused', 'Requested, unused at peak'),
      cell: ({ row: { original: n } }: Cell) => (
        <Text>{`${cpu(n.unusedAtPeak.cpuMillis)} · ${mem(n.unusedAtPeak.memBytes)}`}</Text>
      ),
    },
    {
      id: 'pods',
      header: t('nodes.col.pods', 'Pods'),
      cell: ({ row: { original: n } }: Cell) => (
        <Tooltip
          content={t(
            'nodes.pods.tip',
            '{{ds}} DaemonSet pods (they stay on every node), {{controlled}} under the control table, {{nopeak}} without stored peaks',
            { ds: n.daemonSetPods, controlled: n.controlledPods, nopeak: n.podsWithoutPeak }
          )}
        >
          <span>{`${n.pods} (${n.daemonSetPods} DS)`}</span>
        </Tooltip>
      ),
    },
    {
      id: 'rank',
      header: t('nodes.col.rank', 'Rank requested / peak'),
      cell: ({ row: { original: n } }: Cell) =>
        n.requestedShare && n.peakShare ? (
          <Text>{`#${n.rankRequested} (${formatRatio(n.requestedShare.max)}) / #${n.rankPeak} (${formatRatio(
            n.peakShare.max
          )})`}</Text>
        ) : (
          <Text color="secondary">—</Text>
        ),
    },
    {
      id: 'drain',
      header: t('nodes.col.drain', 'Drain (estimate)'),
      cell: ({ row: { original: n } }: Cell) => (
        <span data-testid={testIds.nodes.drain(n.name)}>
          <Text color={n.drain.underTable ? 'success' : 'secondary'}>{drainText(n)}</Text>
        </span>
      ),
    },
  ];
  return (
    <div data-testid={testIds.nodes.table}>
      <InteractiveTable columns={columns} data={nodes} getRowId={(n) => n.name} />
    </div>
  );
}
