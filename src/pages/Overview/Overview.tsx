import React from 'react';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder, Stack, Text } from '@grafana/ui';

import { useAppContext } from '../../components/AppContext';
import { testIds } from '../../components/testIds';
import { ClusterOverview } from './ClusterOverview';
import { PrometheusTable } from './PrometheusTable';
import { StoreCard } from './StoreCard';
import { useStatus } from './useStatus';

interface Props {
  /** Injected clock for tests ("today" in each cluster's zone). */
  now?: () => number;
}

function Overview({ now }: Props) {
  const { state, reload } = useStatus();
  const { clusters } = useAppContext();

  return (
    <PluginPage>
      <div data-testid={testIds.overview.container}>
        {state.kind === 'loading' && (
          <LoadingPlaceholder text={t('overview.status.loading', 'Loading backend status...')} />
        )}

        {state.kind === 'error' && (
          <Alert severity="error" title={t('overview.status.error', 'Could not load the backend status')}>
            <Stack direction="column" alignItems="flex-start">
              <span>{state.error.message}</span>
              <Button variant="secondary" size="sm" icon="sync" onClick={reload} data-testid={testIds.overview.retry}>
                {t('common.retry', 'Retry')}
              </Button>
            </Stack>
          </Alert>
        )}

        {state.kind === 'ready' && (
          <Stack direction="column" gap={3}>
            <StoreCard store={state.status.store} />
            <PrometheusTable clusters={state.status.prometheus ?? []} />
            {clusters.length > 0 && (
              <Stack direction="column" gap={2}>
                <Text element="h3">{t('overview.capacity.title', 'Capacity control')}</Text>
                {clusters.map((c) => (
                  <ClusterOverview key={c.name} cluster={c} now={now} />
                ))}
              </Stack>
            )}
            <span data-testid={testIds.overview.version}>
              <Text color="secondary" variant="bodySmall">
                {t('overview.version', 'Backend version {{version}}', { version: state.status.version })}
              </Text>
            </span>
          </Stack>
        )}
      </div>
    </PluginPage>
  );
}

export default Overview;
