import React from 'react';
import { t } from '../../i18n';
import { Alert, Badge, type BadgeColor, Stack, Text } from '@grafana/ui';

import { getPublishedPolicy } from '../../api/control';
import type { PublishedPolicy, WorkloadRef } from '../../api/types';
import { formatAgo, formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';

const RESULT_COLORS: Record<string, BadgeColor> = {
  patched: 'blue',
  allowed: 'green',
  observed: 'purple',
  denied: 'red',
};

/**
 * What the cluster holds for the workload: the CapacityPolicy the webhook enforces (and which
 * control-table version it came from) and the webhook's last decision on the Deployment.
 */
export function PolicySection({ target }: { target: WorkloadRef }) {
  const { state } = useAsync(
    () => getPublishedPolicy(target),
    [target.cluster, target.namespace, target.workload, target.kind]
  );
  return (
    <div data-testid={testIds.control.policy}>
      <Stack direction="column" gap={1}>
        <Text element="h5">{t('control.policy.title', 'In the cluster')}</Text>
        {state.kind === 'loading' && (
          <Text color="secondary">{t('control.policy.loading', 'Reading the cluster...')}</Text>
        )}
        {state.kind === 'error' &&
          (state.error.status === 404 ? (
            <Text color="secondary">
              {t('control.policy.none', 'No CapacityPolicy in the cluster yet: the next publish writes it.')}
            </Text>
          ) : state.error.status === 400 ? (
            <Text color="secondary">{state.error.message}</Text>
          ) : (
            <Alert severity="warning" title={t('control.policy.error', 'Could not read the cluster')}>
              {state.error.message}
            </Alert>
          ))}
        {state.kind === 'ready' && <PolicyDetails policy={state.data} />}
      </Stack>
    </div>
  );
}

function PolicyDetails({ policy }: { policy: PublishedPolicy }) {
  const { spec, status } = policy;
  const d = status.lastDecision;
  const containers = (spec.containers ?? [])
    .map(
      (c) =>
        `${c.name}: ${c.cpuRequest ?? '–'}/${c.cpuLimit ?? '–'} CPU, ${c.memoryRequest ?? '–'}/${c.memoryLimit ?? '–'} memory`
    )
    .join('; ');
  return (
    <Stack direction="column" gap={0.5}>
      {!policy.managed && (
        <Text color="warning">
          {t(
            'control.policy.unmanaged',
            'Written by hand (not labelled as published by KubeDoor): KubeDoor never changes it.'
          )}
        </Text>
      )}
      <Text>
        {t('control.policy.published', 'Version {{version}} published {{at}}; replicas {{replicas}}', {
          version: spec.sourceVersion ?? '?',
          at: status.publishedAt ? formatTime(status.publishedAt) : t('control.policy.by-hand', 'by hand'),
          replicas: spec.replicas ?? t('control.policy.as-sent', 'as sent'),
        })}
      </Text>
      {containers && (
        <Text variant="bodySmall" color="secondary">
          {containers}
        </Text>
      )}
      {d ? (
        <Stack direction="row" alignItems="center" gap={1} wrap="wrap">
          <Text>{t('control.policy.last-decision', 'Last webhook decision')}</Text>
          <Badge text={d.result} color={RESULT_COLORS[d.result] ?? 'darkgrey'} />
          <Text variant="bodySmall" color="secondary">{`${d.operation}, ${formatAgo(d.time)}: ${d.reason}`}</Text>
        </Stack>
      ) : (
        <Text variant="bodySmall" color="secondary">
          {t('control.policy.no-decision', 'The webhook has not reported a decision on this Deployment yet.')}
        </Text>
      )}
    </Stack>
  );
}
