import React from 'react';
import { t } from '../../i18n';
import { Button, Stack, Text } from '@grafana/ui';

import type { RecommendItem } from '../../api/recommendTypes';
import type { AcceptItem } from '../../components/AcceptDialog';
import { formatMoney } from '../../components/format';
import { testIds } from '../../components/testIds';

export const ADVICE_SIZE = 10;

/** The most wasteful workloads a recommendation scales down, most savings first. */
export function scaleDownAdvice(items: RecommendItem[], size = ADVICE_SIZE): RecommendItem[] {
  return items
    .filter((i) => i.replicas.recommended >= 0 && i.replicas.recommended < i.replicas.table && i.savings > 0)
    .sort((a, b) => b.savings - a.savings)
    .slice(0, size);
}

export const adviceToAccept = (i: RecommendItem): AcceptItem => ({
  namespace: i.namespace,
  workload: i.workload,
  version: i.version,
  from: i.replicas.table,
  to: i.replicas.recommended,
});

interface Props {
  advice: RecommendItem[];
  currency: string;
  canWrite: boolean;
  onApply: (items: AcceptItem[]) => void;
}

/** A short list of scale-downs with what each saves; Editors apply them all in one batch. */
export function ScaleDownAdvice({ advice, currency, canWrite, onApply }: Props) {
  if (advice.length === 0) {
    return null;
  }
  const total = advice.reduce((s, i) => s + i.savings, 0);
  return (
    <div data-testid={testIds.recommend.advice}>
      <Text element="h4">{t('recommend.advice.title', 'Scale-down advice')}</Text>
      <Stack direction="column" gap={0.5}>
        {advice.map((i) => (
          <Text key={`${i.namespace}/${i.workload}`}>
            {t('recommend.advice.line', '{{target}}: {{from}} → {{to}} replicas, saves {{money}} a month', {
              target: `${i.namespace}/${i.workload}`,
              from: i.replicas.table,
              to: i.replicas.recommended,
              money: formatMoney(i.savings, currency),
            })}
          </Text>
        ))}
        {canWrite && (
          <div>
            <Button
              icon="check-circle"
              data-testid={testIds.recommend.applyAdvice}
              onClick={() => onApply(advice.map(adviceToAccept))}
            >
              {t('recommend.advice.apply', 'Apply all {{count}} (saves {{money}} a month)', {
                count: advice.length,
                money: formatMoney(total, currency),
              })}
            </Button>
          </div>
        )}
      </Stack>
    </div>
  );
}
