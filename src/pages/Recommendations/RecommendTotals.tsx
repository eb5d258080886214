import React from 'react';
import { t } from '../../i18n';
import { Card, type CellProps, type Column, InteractiveTable, Stack, Text } from '@grafana/ui';

import type { Cost, RecommendNamespace, Recommendations } from '../../api/recommendTypes';
import { formatCoreCount, formatGiB, formatMoney, formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';

function CostCard({ title, cost, currency, extra }: { title: string; cost: Cost; currency: string; extra?: string }) {
  return (
    <Card noMargin>
      <Card.Heading>{title}</Card.Heading>
      <Card.Description>
        <Stack direction="column" gap={0}>
          <Text variant="h4">{formatMoney(cost.monthly, currency)}</Text>
          <Text color="secondary">{`${formatCoreCount(cost.cpuCores)} · ${formatGiB(cost.memGiB)}`}</Text>
          {extra && <Text color="success">{extra}</Text>}
        </Stack>
      </Card.Description>
    </Card>
  );
}

/** Monthly cost now, as the control table sets it and as recommended, with the savings of each. */
export function RecommendTotals({ data }: { data: Recommendations }) {
  const { totals, currency } = data;
  // A negative saving is a cost: say so rather than "saves -$125".
  const saves = (n: number) =>
    n < 0
      ? t('recommend.totals.costs', 'costs {{money}} more a month', { money: formatMoney(-n, currency) })
      : t('recommend.totals.saves', 'saves {{money}} a month', { money: formatMoney(n, currency) });
  return (
    <div data-testid={testIds.recommend.totals}>
      <Stack direction="row" gap={2} wrap="wrap">
        <CostCard title={t('recommend.totals.now', 'Now')} cost={totals.now} currency={currency} />
        <CostCard
          title={t('recommend.totals.table', 'Control table')}
          cost={totals.table}
          currency={currency}
          extra={saves(totals.savingsTable)}
        />
        <CostCard
          title={t('recommend.totals.recommended', 'Recommended')}
          cost={totals.recommended}
          currency={currency}
          extra={saves(totals.savingsRecommended)}
        />
      </Stack>
      <Text color="secondary" variant="bodySmall">
        {data.nowFrom === 'live'
          ? t('recommend.totals.live', 'Now = what runs in the cluster; {{days}} days of peaks; prices per month.', {
              days: data.days,
            })
          : t(
              'recommend.totals.stored',
              'Now = the last stored peak day (the cluster could not be read); {{days}} days of peaks; prices per month.',
              { days: data.days }
            )}
        {data.replay && ` ${replayNote(data.replay)}`}
      </Text>
    </div>
  );
}

/** Says when the peak history was replayed; a cached replay is as current as a new one. */
function replayNote(r: NonNullable<Recommendations['replay']>): string {
  const at = formatTime(r.computedAt);
  switch (r.from) {
    case 'cache':
      return t('recommend.totals.replayCache', 'Replayed {{at}}; nothing it depends on has changed since.', { at });
    case 'refreshed':
      return t('recommend.totals.replayRefreshed', 'Replayed {{at}} for the rows edited since.', { at });
    default:
      return t('recommend.totals.replayComputed', 'Replayed {{at}}.', { at });
  }
}

type NsCell = CellProps<RecommendNamespace>;

/** Cost per namespace: now, per the table and as recommended. */
export function NamespaceCosts({ items, currency }: { items: RecommendNamespace[]; currency: string }) {
  const money = (c: Cost) => formatMoney(c.monthly, currency);
  const columns: Array<Column<RecommendNamespace>> = [
    { id: 'namespace', header: t('recommend.col.namespace', 'Namespace'), sortType: 'string' },
    { id: 'now', header: t('recommend.col.now', 'Now / month'), cell: ({ row }: NsCell) => money(row.original.now) },
    {
      id: 'table',
      header: t('recommend.col.table', 'Table / month'),
      cell: ({ row }: NsCell) => money(row.original.table),
    },
    {
      id: 'recommended',
      header: t('recommend.col.recommended', 'Recommended / month'),
      cell: ({ row }: NsCell) => money(row.original.recommended),
    },
    {
      id: 'savings',
      header: t('recommend.col.ns-savings', 'Savings (recommended)'),
      cell: ({ row }: NsCell) => formatMoney(row.original.now.monthly - row.original.recommended.monthly, currency),
    },
  ];
  return (
    <div data-testid={testIds.recommend.namespaces}>
      <InteractiveTable columns={columns} data={items} getRowId={(r) => r.namespace} pageSize={20} />
    </div>
  );
}
