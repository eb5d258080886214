import React from 'react';
import { t } from '../../i18n';
import { Stack, Text } from '@grafana/ui';

import { getRecommendations } from '../../api/recommend';
import type { Cost } from '../../api/recommendTypes';
import { formatCoreCount, formatGiB, formatMoney } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';

const costText = (c: Cost, currency: string) =>
  `${formatCoreCount(c.cpuCores)}, ${formatGiB(c.memGiB)}, ${formatMoney(c.monthly, currency)}`;

/** What enforcing a namespace saves: its cost now against the control table's, per month. */
export function EnforceSavings({ cluster, namespace }: { cluster: string; namespace: string }) {
  const { state } = useAsync(() => getRecommendations(cluster, { namespace, limit: 1 }), [cluster, namespace]);
  let body: React.ReactNode;
  if (state.kind === 'loading') {
    body = <Text color="secondary">{t('clusters.savings.loading', 'Pricing the change...')}</Text>;
  } else if (state.kind === 'error') {
    // Secondary to the preview: a failure here must not read as the preview failing.
    body = (
      <Text color="secondary">
        {t('clusters.savings.error', 'Savings not available: {{error}}', { error: state.error.message })}
      </Text>
    );
  } else {
    const r = state.data;
    const { now, table, savingsTable } = r.totals;
    body = (
      <Stack direction="column" gap={0.5}>
        <Text>{t('clusters.savings.now', 'Now: {{cost}} a month', { cost: costText(now, r.currency) })}</Text>
        <Text>
          {t('clusters.savings.table', 'With the control table: {{cost}} a month', {
            cost: costText(table, r.currency),
          })}
        </Text>
        <Text weight="bold" color={savingsTable > 0 ? 'success' : undefined}>
          {t('clusters.savings.saves', 'Enforcing saves {{money}} a month', {
            money: formatMoney(savingsTable, r.currency),
          })}
        </Text>
      </Stack>
    );
  }
  return (
    <div data-testid={testIds.clusters.previewSavings}>
      <Text element="h6">{t('clusters.savings.title', 'What enforcing saves')}</Text>
      <div>{body}</div>
    </div>
  );
}
