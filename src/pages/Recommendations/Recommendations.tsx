import React, { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Combobox, EmptyState, Field, LinkButton, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import { getRecommendations } from '../../api/recommend';
import type { Recommendations as Report, RecommendSort } from '../../api/recommendTypes';
import { AcceptDialog, type AcceptItem } from '../../components/AcceptDialog';
import { usePermissions } from '../../components/AppContext';
import { ClusterPicker, useClusterParam } from '../../components/ClusterPicker';
import { Loadable } from '../../components/Loadable';
import { NoClusters } from '../../components/NoClusters';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { DASHBOARDS, dashboardUrl } from '../../constants';
import { filterByKind, KindFilter, kindFilterOf } from '../../components/WorkloadKind';
import { acceptable, itemKey, RecommendItems } from './RecommendItems';
import { NamespaceCosts, RecommendTotals } from './RecommendTotals';
import { adviceToAccept, scaleDownAdvice, ScaleDownAdvice } from './ScaleDownAdvice';

const SORTS: RecommendSort[] = ['savings', 'score', 'risk'];
const LIMIT = 200;

/** Cost now, per the control table and as recommended; which workloads waste most and how risky they are. */
function Recommendations() {
  const [cluster, setCluster] = useClusterParam();
  const [params, setParams] = useSearchParams();
  const namespace = params.get('namespace') ?? '';
  const kind = kindFilterOf(params.get('kind'));
  const sort: RecommendSort = SORTS.find((s) => s === params.get('sort')) ?? 'savings';
  const { canWrite } = usePermissions();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [accepting, setAccepting] = useState<AcceptItem[]>();

  const setParam = (key: string, value: string) => {
    setSelected(new Set());
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) {
          next.set(key, value);
        } else {
          next.delete(key);
        }
        return next;
      },
      { replace: true }
    );
  };

  const { state, reload } = useAsync(
    () =>
      cluster
        ? getRecommendations(cluster, { namespace, kind: kind || undefined, sort, limit: LIMIT })
        : Promise.resolve(undefined),
    [cluster, namespace, kind, sort]
  );

  // Namespaces seen while unfiltered keep the picker's options once one is chosen.
  const [known, setKnown] = useState<{ from?: unknown; names: string[] }>({ names: [] });
  if (state.kind === 'ready' && state.data && !namespace && !kind && known.from !== state.data) {
    setKnown({ from: state.data, names: (state.data.namespaces ?? []).map((n) => n.namespace).sort() });
  }

  if (!cluster) {
    return (
      <PluginPage>
        <NoClusters />
      </PluginPage>
    );
  }

  const toggle = (key: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(key)) {
        next.delete(key);
      } else {
        next.add(key);
      }
      return next;
    });

  const body = (data: Report | undefined) => {
    // Older backends ignore the kind parameter (their items are Deployments): filter here too.
    const items = filterByKind(data?.items ?? [], kind);
    if (!data || (items.length === 0 && (data.namespaces ?? []).length === 0)) {
      return (
        <div data-testid={testIds.recommend.empty}>
          <EmptyState
            variant={namespace ? 'not-found' : 'call-to-action'}
            message={
              namespace
                ? t('recommend.empty.filtered', 'No workload of {{namespace}} is in the control table', { namespace })
                : t('recommend.empty.title', 'No workload is under control in {{cluster}} yet', { cluster })
            }
          >
            {namespace
              ? ''
              : t('recommend.empty.help', 'Collect peak data on the Clusters & settings page to get recommendations.')}
          </EmptyState>
        </div>
      );
    }
    const noHistory = items.length > 0 && items.every((i) => i.historyDays === 0);
    const chosen = items.filter((i) => selected.has(itemKey(i)) && acceptable(i));
    return (
      <Stack direction="column" gap={2}>
        {(data.warnings ?? []).map((w) => (
          <Alert key={w} severity="warning" title={w} />
        ))}
        {noHistory && (
          <div data-testid={testIds.recommend.noHistory}>
            <Alert severity="info" title={t('recommend.no-history.title', 'No stored peak history')}>
              {t(
                'recommend.no-history.body',
                'Recommendations, scores and risks need collected peak days. Collect or backfill peak data on the Clusters & settings page.'
              )}
            </Alert>
          </div>
        )}
        <RecommendTotals data={data} />
        {!noHistory && (
          <ScaleDownAdvice
            advice={scaleDownAdvice(items)}
            currency={data.currency}
            canWrite={canWrite}
            onApply={setAccepting}
          />
        )}
        <Text element="h4">{t('recommend.namespaces', 'Per namespace')}</Text>
        <NamespaceCosts items={data.namespaces ?? []} currency={data.currency} />
        <Stack direction="row" alignItems="flex-end" gap={2}>
          <Text element="h4">{t('recommend.workloads', 'Workloads')}</Text>
          {canWrite && (
            <Button
              variant="secondary"
              icon="check-circle"
              data-testid={testIds.recommend.accept}
              disabled={chosen.length === 0}
              onClick={() => setAccepting(chosen.map(adviceToAccept))}
            >
              {t('recommend.accept-button', 'Accept recommendations ({{count}})', { count: chosen.length })}
            </Button>
          )}
        </Stack>
        {data.total !== undefined && data.total > items.length && (
          <Text color="secondary" variant="bodySmall">
            {t('recommend.count-truncated', 'The first {{shown}} of {{total}} workloads; narrow with a namespace.', {
              shown: items.length,
              total: data.total,
            })}
          </Text>
        )}
        <RecommendItems
          cluster={cluster}
          items={items}
          currency={data.currency}
          selected={canWrite ? selected : undefined}
          toggle={canWrite ? toggle : undefined}
        />
      </Stack>
    );
  };

  return (
    <PluginPage>
      <div data-testid={testIds.recommend.container}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" wrap="wrap" alignItems="flex-end" gap={2}>
            <ClusterPicker value={cluster} onChange={setCluster} />
            <Field label={t('recommend.filter.namespace', 'Namespace')} noMargin>
              <Combobox
                data-testid={testIds.recommend.namespace}
                width={24}
                isClearable
                createCustomValue
                placeholder={t('recommend.filter.all-namespaces', 'All namespaces')}
                options={known.names.map((n) => ({ label: n, value: n }))}
                value={namespace || null}
                onChange={(opt) => setParam('namespace', opt?.value ?? '')}
              />
            </Field>
            <KindFilter value={kind} onChange={(v) => setParam('kind', v)} />
            <Field label={t('recommend.sort', 'Sort workloads by')} noMargin>
              <div data-testid={testIds.recommend.sort}>
                <RadioButtonGroup
                  options={[
                    { label: t('recommend.sort.savings', 'Savings'), value: 'savings' as const },
                    { label: t('recommend.sort.score', 'Waste score'), value: 'score' as const },
                    { label: t('recommend.sort.risk', 'Risk'), value: 'risk' as const },
                  ]}
                  value={sort}
                  onChange={(v) => setParam('sort', v)}
                />
              </div>
            </Field>
            <LinkButton
              variant="secondary"
              icon="apps"
              href={dashboardUrl(DASHBOARDS.savings, { cluster, namespace: namespace || undefined })}
            >
              {t('recommend.dashboard', 'Savings dashboard')}
            </LinkButton>
          </Stack>
          <Loadable
            state={state}
            loadingText={t('recommend.loading', 'Pricing the cluster...')}
            errorTitle={t('recommend.error', 'Could not load the recommendations')}
            onRetry={reload}
          >
            {body}
          </Loadable>
        </Stack>
        {accepting && (
          <AcceptDialog
            cluster={cluster}
            items={accepting}
            onClose={() => setAccepting(undefined)}
            onDone={() => {
              setSelected(new Set());
              reload();
            }}
          />
        )}
      </div>
    </PluginPage>
  );
}

export default Recommendations;
