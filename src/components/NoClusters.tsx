import React from 'react';
import { t } from '../i18n';
import { EmptyState, LinkButton } from '@grafana/ui';

import { CONFIG_PAGE_URL } from '../constants';
import { usePermissions } from './AppContext';
import { testIds } from './testIds';

/** What a page shows before any cluster is configured. */
export function NoClusters() {
  const { canAdmin } = usePermissions();
  return (
    <div data-testid={testIds.common.noClusters}>
      <EmptyState
        variant="call-to-action"
        message={t('common.no-clusters.title', 'No cluster is configured yet')}
        button={
          canAdmin ? (
            <LinkButton href={CONFIG_PAGE_URL} icon="cog">
              {t('common.no-clusters.configure', 'Configure a cluster')}
            </LinkButton>
          ) : undefined
        }
      >
        {canAdmin
          ? t('common.no-clusters.admin', 'Add a cluster and its Prometheus on the configuration page.')
          : t('common.no-clusters.viewer', 'Ask a Grafana admin to add a cluster on the app configuration page.')}
      </EmptyState>
    </div>
  );
}
