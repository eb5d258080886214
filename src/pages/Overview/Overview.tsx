import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder, Stack, Text } from '@grafana/ui';

import { testIds } from '../../components/testIds';
import { StoreCard } from './StoreCard';
import { PrometheusTable } from './PrometheusTable';
import { useStatus } from './useStatus';

function Overview() {
  const { state, reload } = useStatus();

  return (
    <PluginPage>
      <div data-testid={testIds.overview.container}>
        {state.kind === 'loading' && <LoadingPlaceholder text="Loading backend status..." />}

        {state.kind === 'error' && (
          <Alert severity="error" title="Could not load the backend status">
            <Stack direction="column" alignItems="flex-start">
              <span>{state.error.message}</span>
              <Button variant="secondary" size="sm" icon="sync" onClick={reload} data-testid={testIds.overview.retry}>
                Retry
              </Button>
            </Stack>
          </Alert>
        )}

        {state.kind === 'ready' && (
          <Stack direction="column" gap={3}>
            <StoreCard store={state.status.store} />
            <PrometheusTable clusters={state.status.prometheus ?? []} />
            <span data-testid={testIds.overview.version}>
              <Text color="secondary" variant="bodySmall">
                Backend version {state.status.version}
              </Text>
            </span>
          </Stack>
        )}
      </div>
    </PluginPage>
  );
}

export default Overview;
