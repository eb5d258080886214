import React from 'react';
import { t } from '../../i18n';
import { Button, Stack, Text } from '@grafana/ui';

import type { RecommendItem } from '../../api/recommendTypes';
import type { AcceptItem } from '../../components/AcceptDialog';
import { kindParam, recommendReplicas } from '../../api/workloadKind';
import { formatMoney } from '../../components/format';
import { testIds } from '../../components/testIds';
import { itemKey } from './RecommendItems';

export const ADVICE_SIZE = 10;

/** The most wasteful workloads a recommendation scales down, most savings first. */
export function scaleDownAdvice(items: RecommendItem[], size = ADVICE_SIZE): RecommendItem[] {
  return items
    .filter((i) => {
      const r = recommendReplicas(i);
      return !!r && r.recommended >= 0 && r.recommended < r.table && i.savings > 0;
    })
    .sort((a, b) => b.savings - a.savings)
    .slice(0, size);
}

/** Call only for items with replicas (not DaemonSets). */
export const adviceToAccept = (i: RecommendItem): AcceptItem => ({
  namespace: i.namespace,
  workload: i.workload,
  kind: kindParam(i.kind),
  version: i.version,
  from: recommendReplicas(i)?.table ?? -1,
  to: recommendReplicas(i)?.recommended ?? -1,
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
          <Text key={itemKey(i)}>
            {t('recommend.advice.line', '{{target}}: {{from}} → {{to}} replicas, saves {{money}} a month', {
              target: itemKey(i),
              from: recommendReplicas(i)?.table,
              to: recommendReplicas(i)?.recommended,
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
