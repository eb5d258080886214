import React from 'react';
import { t } from '../../i18n';
import { Badge, Stack, Text, Tooltip } from '@grafana/ui';

import type { ControlRow } from '../../api/types';
import type { AcceptItem } from '../../components/AcceptDialog';
import { testIds } from '../../components/testIds';

/** A row's recommendation can be accepted: one for its replicas (not an HPA's minReplicas) that manual does not hold yet. */
export function hasRecommendation(row: ControlRow): boolean {
  const r = row.replicas;
  return r.recommended >= 0 && r.recommendedFor === 'replicas' && r.manual !== r.recommended;
}

export function toAcceptItem(row: ControlRow): AcceptItem {
  return {
    namespace: row.namespace,
    workload: row.workload,
    version: row.version,
    from: row.replicas.effective,
    to: row.replicas.recommended,
  };
}

/** Recommended replicas (or "—"), "HPA min" when they set an HPA's minReplicas, "active" when enforced; the reason as tooltip. */
export function RecommendedCell({ row }: { row: ControlRow }) {
  const r = row.replicas;
  const reason = r.recommendedReason || t('control.recommended.no-reason', 'No recommendation');
  return (
    <Tooltip content={reason}>
      <span data-testid={testIds.control.recommended(row.namespace, row.workload)}>
        <Stack direction="row" gap={0.5} alignItems="center">
          <Text weight={r.recommended >= 0 ? 'bold' : undefined} color={r.recommended >= 0 ? undefined : 'secondary'}>
            {r.recommended >= 0 ? String(r.recommended) : '—'}
          </Text>
          {r.recommended >= 0 && r.recommendedFor === 'hpaMinReplicas' && (
            <Badge text={t('control.recommended.hpa', 'HPA min')} color="purple" />
          )}
          {r.recommendedActive && <Badge text={t('control.recommended.active', 'active')} color="green" icon="check" />}
        </Stack>
      </span>
    </Tooltip>
  );
}
