import React from 'react';
import { t } from '../../i18n';
import { Alert, Badge, Stack, Text } from '@grafana/ui';

import { previewEnforcement } from '../../api/decide';
import type { Amount, PreviewNamespace, PreviewWorkload } from '../../api/decideTypes';
import { Loadable } from '../../components/Loadable';
import { formatMiB, formatMillis } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { KindBadge } from '../../components/WorkloadKind';
import { EnforceSavings } from './EnforceSavings';

const signed = (n: number, fmt: (v: number) => string) => (n < 0 ? `−${fmt(-n)}` : `+${fmt(n)}`);

function amount(a: Amount, fmt: (v: number) => string): string {
  return `${fmt(a.live)} → ${fmt(a.target)} (${signed(a.delta, fmt)})`;
}

/** What enforcing a namespace would change against what runs now, for the switch's confirmation. */
export function EnforcePreview({ cluster, namespace }: { cluster: string; namespace: string }) {
  const { state, reload } = useAsync(() => previewEnforcement(cluster, namespace), [cluster, namespace]);
  return (
    <div data-testid={testIds.clusters.preview}>
      <Loadable
        state={state}
        loadingText={t('clusters.preview.loading', 'Comparing the table with what runs now...')}
        errorTitle={t('clusters.preview.error', 'Could not preview the change')}
        onRetry={reload}
      >
        {(p) => (
          <Stack direction="column" gap={1}>
            {p.warnings.map((w) => (
              <Alert key={w} severity="warning" title={w} />
            ))}
            {p.namespaces.map((ns) => (
              <NamespacePreview key={ns.name} ns={ns} />
            ))}
          </Stack>
        )}
      </Loadable>
      <EnforceSavings cluster={cluster} namespace={namespace} />
    </div>
  );
}

function NamespacePreview({ ns }: { ns: PreviewNamespace }) {
  const tt = ns.totals;
  const listed = ns.workloads.filter((w) => w.status === 'change' || w.status === 'unknown');
  return (
    <Stack direction="column" gap={0.5}>
      <Text>
        {t(
          'clusters.preview.counts',
          '{{workloads}} running workloads: {{down}} scale down, {{up}} scale up, {{resize}} resized, {{unknown}} not in the table ({{deny}} would be denied).',
          {
            workloads: tt.workloads,
            down: tt.scaleDown,
            up: tt.scaleUp,
            resize: tt.resize,
            unknown: tt.unknown,
            deny: tt.wouldDeny,
          }
        )}
      </Text>
      <Text>
        {t('clusters.preview.amounts', 'Replicas {{replicas}}; CPU requests {{cpu}}; memory requests {{mem}}.', {
          replicas: amount(tt.replicas, String),
          cpu: amount(tt.cpuRequestMillis, formatMillis),
          mem: amount(tt.memRequestMiB, formatMiB),
        })}
      </Text>
      {listed.map((w) => (
        <WorkloadLine key={`${w.kind ?? 'Deployment'}/${w.name}`} w={w} />
      ))}
    </Stack>
  );
}

function WorkloadLine({ w }: { w: PreviewWorkload }) {
  const label =
    w.status === 'unknown'
      ? {
          text: t('clusters.preview.unknown', 'not in the table: {{outcome}}', { outcome: w.outcome }),
          color: 'red' as const,
        }
      : w.direction === 'scale-down'
        ? { text: t('clusters.preview.down', 'scale down'), color: 'blue' as const }
        : w.direction === 'scale-up'
          ? { text: t('clusters.preview.up', 'scale up'), color: 'orange' as const }
          : { text: t('clusters.preview.resize', 'resize'), color: 'purple' as const };
  return (
    <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
      <KindBadge kind={w.kind} />
      <Text weight="medium">{w.name}</Text>
      <Badge text={label.text} color={label.color} />
      <Text variant="bodySmall">{w.changes.join('; ')}</Text>
      {w.hpa && (
        <Text variant="bodySmall" color="secondary">
          {t('clusters.preview.hpa', 'HPA {{hpa}} owns replicas', { hpa: w.hpa })}
        </Text>
      )}
      {w.lastDecision && (
        <Text variant="bodySmall" color="secondary">
          {t('clusters.preview.decision', 'webhook last: {{result}} ({{reason}})', {
            result: w.lastDecision.result,
            reason: w.lastDecision.reason,
          })}
        </Text>
      )}
    </Stack>
  );
}
