import React from 'react';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import {
  Badge,
  type CellProps,
  type Column,
  FieldSet,
  InteractiveTable,
  LinkButton,
  Stack,
  Text,
  TextLink,
} from '@grafana/ui';

import { getClusterHealth, listClusters } from '../../api/clusters';
import type { ClusterHealth, ClusterItem } from '../../api/types';
import { usePermissions } from '../../components/AppContext';
import { ClusterPicker, useClusterParam } from '../../components/ClusterPicker';
import { Loadable } from '../../components/Loadable';
import { NoClusters } from '../../components/NoClusters';
import { JobStateBadge, StatusBadge } from '../../components/StatusBadge';
import { formatAgo } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { CONFIG_PAGE_URL, ROUTES, pageUrl } from '../../constants';
import { CollectionSection } from './CollectionSection';
import { GitopsSection } from './GitopsSection';
import { NamespacesSection } from './NamespacesSection';
import { SettingsSection } from './SettingsSection';

interface Props {
  pollMs?: number;
}

/** Clusters & settings: every cluster at a glance, then one cluster's settings, namespaces and collection. */
function Clusters({ pollMs }: Props) {
  const [cluster, setCluster] = useClusterParam();
  const { canWrite, canAdmin } = usePermissions();

  if (!cluster) {
    return (
      <PluginPage>
        <NoClusters />
      </PluginPage>
    );
  }

  return (
    <PluginPage>
      <div data-testid={testIds.clusters.container}>
        <Stack direction="column" gap={3}>
          <AllClusters />
          <Stack direction="row" alignItems="flex-end" gap={2}>
            <ClusterPicker value={cluster} onChange={setCluster} />
            {canAdmin && (
              <LinkButton variant="secondary" icon="cog" href={CONFIG_PAGE_URL}>
                {t('clusters.edit-connection', 'Edit connections')}
              </LinkButton>
            )}
          </Stack>
          <HealthSection cluster={cluster} />
          <SettingsSection key={`s-${cluster}`} cluster={cluster} canAdmin={canAdmin} />
          <NamespacesSection key={`n-${cluster}`} cluster={cluster} canAdmin={canAdmin} />
          <GitopsSection key={`g-${cluster}`} cluster={cluster} />
          <CollectionSection key={`c-${cluster}`} cluster={cluster} canWrite={canWrite} pollMs={pollMs} />
        </Stack>
      </div>
    </PluginPage>
  );
}

type Cell = CellProps<ClusterItem>;

function AllClusters() {
  const { state, reload } = useAsync(listClusters, []);
  const columns: Array<Column<ClusterItem>> = [
    {
      id: 'name',
      header: t('clusters.all.name', 'Cluster'),
      cell: ({ row }: Cell) => (
        <TextLink href={pageUrl(ROUTES.Clusters, { cluster: row.original.name })} inline={false}>
          {row.original.name}
        </TextLink>
      ),
    },
    { id: 'timeZone', header: t('clusters.all.zone', 'Time zone') },
    { id: 'prometheusUrl', header: t('clusters.all.prometheus', 'Prometheus') },
    {
      id: 'window',
      header: t('clusters.all.window', 'Peak window'),
      cell: ({ row }: Cell) => {
        const w = row.original.settings?.peakWindow;
        return w ? `${w.start}–${w.end}` : '—';
      },
    },
    {
      id: 'lastCollection',
      header: t('clusters.all.last', 'Last collection'),
      cell: ({ row }: Cell) => {
        const j = row.original.lastCollection;
        return j ? (
          <Stack direction="row" gap={1} alignItems="center">
            <JobStateBadge state={j.state} />
            <Text variant="bodySmall" color="secondary">
              {formatAgo(j.finishedAt ?? j.startedAt)}
            </Text>
          </Stack>
        ) : (
          <Text color="secondary">{t('clusters.all.never', 'never')}</Text>
        );
      },
    },
  ];
  return (
    <FieldSet label={t('clusters.all.title', 'Clusters')}>
      <Loadable
        state={state}
        loadingText={t('clusters.all.loading', 'Loading clusters...')}
        errorTitle={t('clusters.all.error', 'Could not list the clusters')}
        onRetry={reload}
      >
        {(data) => <InteractiveTable columns={columns} data={data.items ?? []} getRowId={(c) => c.name} />}
      </Loadable>
    </FieldSet>
  );
}

function HealthSection({ cluster }: { cluster: string }) {
  const { state, reload } = useAsync(() => getClusterHealth(cluster), [cluster]);
  return (
    <FieldSet label={t('clusters.health.title', 'Health')}>
      <div data-testid={testIds.clusters.health}>
        <Loadable
          state={state}
          loadingText={t('clusters.health.loading', 'Checking the cluster...')}
          errorTitle={t('clusters.health.error', 'Could not check the cluster')}
          onRetry={reload}
        >
          {(h) => <HealthRows health={h} />}
        </Loadable>
      </div>
    </FieldSet>
  );
}

function HealthRows({ health }: { health: ClusterHealth }) {
  const row = (label: string, ok: boolean, message: string, extra?: string) => (
    <Stack direction="row" gap={1} alignItems="center">
      <Text weight="medium">{label}</Text>
      <StatusBadge ok={ok} />
      {extra && <Text color="secondary">{extra}</Text>}
      {message && <Text color={ok ? 'secondary' : 'error'}>{message}</Text>}
    </Stack>
  );
  return (
    <Stack direction="column" gap={1}>
      {row(
        t('clusters.health.kubernetes', 'Kubernetes API'),
        health.kubernetes.ok,
        health.kubernetes.message,
        health.kubernetes.version
      )}
      {row(t('clusters.health.prometheus', 'Prometheus'), health.prometheus.ok, health.prometheus.message)}
      <Stack direction="row" gap={1} alignItems="center">
        <Text weight="medium">{t('clusters.health.webhook', 'Webhook')}</Text>
        {health.webhook.installed ? (
          <StatusBadge ok={health.webhook.ready} />
        ) : (
          <Badge text={t('clusters.health.not-installed', 'Not installed')} color="orange" />
        )}
        {health.webhook.message && <Text color="secondary">{health.webhook.message}</Text>}
      </Stack>
    </Stack>
  );
}

export default Clusters;
