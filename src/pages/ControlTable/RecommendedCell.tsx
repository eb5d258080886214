import React from 'react';
import { t } from '../../i18n';
import { Badge, Stack, Text, Tooltip } from '@grafana/ui';

import type { ControlRow } from '../../api/types';
import { kindOf, kindParam, replicasOf } from '../../api/workloadKind';
import type { AcceptItem } from '../../components/AcceptDialog';
import { testIds } from '../../components/testIds';

/** A row's recommendation can be accepted: one for its replicas (not an HPA's minReplicas) that manual does not hold yet. */
export function hasRecommendation(row: ControlRow): boolean {
  const r = replicasOf(row);
  return !!r && r.recommended >= 0 && r.recommendedFor === 'replicas' && r.manual !== r.recommended;
}

/** Call only when hasRecommendation(row). */
export function toAcceptItem(row: ControlRow): AcceptItem {
  const r = replicasOf(row);
  return {
    namespace: row.namespace,
    workload: row.workload,
    kind: kindParam(row.kind),
    version: row.version,
    from: r?.effective ?? -1,
    to: r?.recommended ?? -1,
  };
}

/** Recommended replicas (or "—"), "HPA min" when they set an HPA's minReplicas, "active" when enforced; the reason as tooltip. */
export function RecommendedCell({ row }: { row: ControlRow }) {
  const r = replicasOf(row);
  if (!r) {
    return <NoReplicas row={row} />;
  }
  const reason = r.recommendedReason || t('control.recommended.no-reason', 'No recommendation');
  return (
    <Tooltip content={reason}>
      <span data-testid={testIds.control.recommended(row.namespace, row.workload, row.kind)}>
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

/** "—" where a row has no replicas: a DaemonSet runs one pod per node. */
export function NoReplicas({ row }: { row: Pick<ControlRow, 'kind'> }) {
  const why =
    kindOf(row) === 'DaemonSet'
      ? t('kind.no-replicas', 'Not applicable (DaemonSet): one pod per node, no replicas')
      : t('kind.replicas-missing', 'No replicas reported');
  return (
    <Tooltip content={why}>
      <span data-testid={testIds.kind.notApplicable} aria-label={why}>
        <Text color="secondary">—</Text>
      </span>
    </Tooltip>
  );
}
