import React from 'react';
import { t } from '../../i18n';
import {
  Badge,
  type BadgeColor,
  type CellProps,
  Checkbox,
  type Column,
  InteractiveTable,
  Stack,
  Text,
  TextLink,
  Tooltip,
} from '@grafana/ui';

import type { RecommendItem, Risk, RiskLevel } from '../../api/recommendTypes';
import { kindOf, recommendReplicas, workloadTarget } from '../../api/workloadKind';
import { formatMoney } from '../../components/format';
import { testIds } from '../../components/testIds';
import { KindBadge } from '../../components/WorkloadKind';
import { pageUrl, ROUTES } from '../../constants';

/** "namespace/name", "namespace/Kind/name" for non-Deployments (a StatefulSet may share a Deployment's name). */
export const itemKey = (i: { namespace: string; workload: string; kind?: string }) =>
  workloadTarget(i.namespace, i.workload, i.kind);

/** An item whose recommendation can be accepted: not a DaemonSet, and one exists. */
export const acceptable = (i: RecommendItem) => (recommendReplicas(i)?.recommended ?? -1) >= 0;

const RISK_COLOR: Record<RiskLevel, BadgeColor> = { low: 'green', medium: 'orange', high: 'red', unknown: 'darkgrey' };

/** The risk counts that are not zero, or "no risk days": the cell stays short for most rows. */
export function riskText(r: Risk): string {
  const parts = [
    r.daysOverRequest > 0 && t('recommend.risk.over', '{{n}} d over request', { n: r.daysOverRequest }),
    r.daysNearCPULimit > 0 && t('recommend.risk.cpu', '{{n}} d near CPU limit', { n: r.daysNearCPULimit }),
    r.daysNearMemLimit > 0 && t('recommend.risk.mem', '{{n}} d near memory limit', { n: r.daysNearMemLimit }),
    r.oomKills > 0 && t('recommend.risk.oom', '{{n}} OOM kills', { n: r.oomKills }),
  ].filter((p): p is string => typeof p === 'string');
  return parts.length > 0 ? parts.join(' · ') : t('recommend.risk.none', 'no risk days');
}

interface Props {
  cluster: string;
  items: RecommendItem[];
  currency: string;
  /** Editors: the selection. */
  selected?: Set<string>;
  toggle?: (key: string) => void;
}

type Cell = CellProps<RecommendItem>;

/** Workloads in the server's order (the sort is a query): replicas, money, score and risk. */
export function RecommendItems({ cluster, items, currency, selected, toggle }: Props) {
  const columns: Array<Column<RecommendItem>> = [];
  if (selected && toggle) {
    columns.push({
      id: 'select',
      header: '',
      disableGrow: true,
      cell: ({ row }: Cell) => (
        <Checkbox
          data-testid={testIds.recommend.select(row.original.namespace, row.original.workload, row.original.kind)}
          aria-label={t('recommend.select-row', 'Select {{target}}', { target: itemKey(row.original) })}
          value={selected.has(itemKey(row.original))}
          disabled={!acceptable(row.original)}
          onChange={() => toggle(itemKey(row.original))}
        />
      ),
    });
  }
  columns.push(
    {
      id: 'kind',
      header: t('recommend.col.kind', 'Kind'),
      cell: ({ row }: Cell) => <KindBadge kind={row.original.kind} />,
    },
    {
      id: 'workload',
      header: t('recommend.col.workload', 'Workload'),
      cell: ({ row }: Cell) => {
        const { namespace, workload } = row.original;
        const kind = kindOf(row.original);
        const link = { cluster, namespace, q: workload, kind: kind === 'Deployment' ? undefined : kind };
        return (
          <span data-testid={testIds.recommend.row(namespace, workload, row.original.kind)}>
            <TextLink href={pageUrl(ROUTES.Control, link)} inline={false}>
              {`${namespace}/${workload}`}
            </TextLink>
          </span>
        );
      },
    },
    {
      id: 'replicas',
      header: t('recommend.col.replicas', 'Replicas now → table → recommended'),
      cell: ({ row }: Cell) => {
        const r = recommendReplicas(row.original);
        if (!r) {
          return (
            <Tooltip content={t('kind.no-replicas', 'Not applicable (DaemonSet): one pod per node, no replicas')}>
              <span data-testid={testIds.kind.notApplicable}>—</span>
            </Tooltip>
          );
        }
        const show = (n: number) => (n >= 0 ? String(n) : '—');
        return `${show(r.now)} → ${show(r.table)} → ${show(r.recommended)}`;
      },
    },
    {
      id: 'monthly',
      header: t('recommend.col.monthly', 'Monthly now → table → recommended'),
      cell: ({ row }: Cell) => {
        const text = [row.original.now, row.original.table, row.original.recommended]
          .map((c) => formatMoney(c.monthly, currency))
          .join(' → ');
        const notes = row.original.notes ?? [];
        return notes.length > 0 ? (
          <Tooltip content={notes.join('; ')}>
            <span>{`${text} *`}</span>
          </Tooltip>
        ) : (
          text
        );
      },
    },
    {
      id: 'savings',
      header: t('recommend.col.savings', 'Savings / month'),
      cell: ({ row }: Cell) => <Text weight="bold">{formatMoney(row.original.savings, currency)}</Text>,
    },
    {
      id: 'score',
      header: t('recommend.col.score', 'Waste score'),
      cell: ({ row }: Cell) => (
        <Tooltip content={row.original.scoreReason || '—'}>
          <span>{row.original.score === null ? '—' : String(Math.round(row.original.score))}</span>
        </Tooltip>
      ),
    },
    {
      id: 'risk',
      header: t('recommend.col.risk', 'Risk'),
      cell: ({ row }: Cell) => {
        const r = row.original.risk;
        return (
          <Stack direction="column" gap={0}>
            <Badge text={r.level} color={RISK_COLOR[r.level] ?? 'darkgrey'} />
            <Text variant="bodySmall" color="secondary">
              {riskText(r)}
            </Text>
          </Stack>
        );
      },
    },
    {
      id: 'history',
      header: t('recommend.col.history', 'Days of history'),
      cell: ({ row }: Cell) => String(row.original.historyDays),
    }
  );
  return (
    <div data-testid={testIds.recommend.items}>
      <InteractiveTable columns={columns} data={items} getRowId={itemKey} pageSize={50} />
    </div>
  );
}
