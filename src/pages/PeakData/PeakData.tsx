import React, { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import { EmptyState, Field, Input, LinkButton, Pagination, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import { getPeakSeries, listPeaks } from '../../api/peaks';
import { useAppContext } from '../../components/AppContext';
import { ClusterPicker, useClusterParam } from '../../components/ClusterPicker';
import { CommitInput } from '../../components/CommitInput';
import { Loadable } from '../../components/Loadable';
import { NoClusters } from '../../components/NoClusters';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { filterByKind, KindFilter, kindFilterOf } from '../../components/WorkloadKind';
import { kindParam } from '../../api/workloadKind';
import { addDays, dayInZone, parseDay } from '../../components/zonedTime';
import { DASHBOARDS, dashboardUrl } from '../../constants';
import { PeaksTable } from './PeaksTable';

const PAGE_SIZE = 100;

type View = 'day' | 'workload';

interface Props {
  /** Injected clock for tests. */
  now?: () => number;
}

/** Peak rows by day (all workloads) or for one workload over days; request vs P95, waste flagged. */
function PeakData({ now = Date.now }: Props) {
  const [cluster, setCluster] = useClusterParam();
  const { clusters } = useAppContext();
  const zone = clusters.find((c) => c.name === cluster)?.timeZone || 'UTC';
  const yesterday = addDays(dayInZone(now(), zone), -1);
  const [params, setParams] = useSearchParams();
  const get = (k: string, d = '') => params.get(k) ?? d;
  const namespace = get('namespace');
  const workload = get('workload');
  // A filter in the by-day view; in the one-workload view, which workload (All reads as Deployment).
  const kind = kindFilterOf(get('kind'));
  const view: View = get('view') === 'workload' ? 'workload' : 'day';
  const to = validDay(get('to'), yesterday);
  const from = validDay(get('from'), view === 'workload' ? addDays(to, -13) : to);
  const [page, setPage] = useState(1);

  const set = (changes: Record<string, string>) => {
    setPage(1);
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) {
            next.set(k, v);
          } else {
            next.delete(k);
          }
        }
        return next;
      },
      { replace: true }
    );
  };

  const rangeError = from > to ? t('peaks.range-error', 'The first day is after the last') : undefined;
  const needsWorkload = view === 'workload' && (!namespace || !workload);

  const byDay = useAsync(
    () =>
      !cluster || view !== 'day' || rangeError
        ? Promise.resolve(undefined)
        : listPeaks({
            cluster,
            namespace,
            workload,
            kind: kind || undefined,
            from,
            to,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
          }),
    [cluster, view, namespace, workload, kind, from, to, page, rangeError]
  );
  const series = useAsync(
    () =>
      !cluster || view !== 'workload' || needsWorkload || rangeError
        ? Promise.resolve(undefined)
        : getPeakSeries({ cluster, namespace, workload, kind: kindParam(kind), from, to }),
    [cluster, view, namespace, workload, kind, from, to, needsWorkload, rangeError]
  );

  const [container, setContainer] = useState<string>('');
  const seriesRows = useMemo(
    () => (series.state.kind === 'ready' ? (series.state.data?.items ?? []) : []),
    [series.state]
  );
  const containers = useMemo(() => Array.from(new Set(seriesRows.map((r) => r.container))).sort(), [seriesRows]);

  if (!cluster) {
    return (
      <PluginPage>
        <NoClusters />
      </PluginPage>
    );
  }

  return (
    <PluginPage>
      <div data-testid={testIds.peaks.container}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" wrap="wrap" alignItems="flex-end" gap={2}>
            <ClusterPicker value={cluster} onChange={setCluster} />
            <Field label={t('peaks.view', 'View')} noMargin>
              <RadioButtonGroup
                options={[
                  { label: t('peaks.view.day', 'By day'), value: 'day' as const },
                  { label: t('peaks.view.workload', 'One workload'), value: 'workload' as const },
                ]}
                value={view}
                onChange={(v) => set({ view: v === 'day' ? '' : v })}
              />
            </Field>
            <DayInput
              label={t('peaks.from', 'From')}
              testId={testIds.peaks.from}
              value={from}
              onChange={(v) => set({ from: v })}
            />
            <DayInput
              label={t('peaks.to', 'To')}
              testId={testIds.peaks.to}
              value={to}
              onChange={(v) => set({ to: v })}
            />
            <CommitInput
              label={t('peaks.namespace', 'Namespace')}
              testId={testIds.peaks.namespace}
              value={namespace}
              onCommit={(v) => set({ namespace: v })}
            />
            <CommitInput
              label={t('peaks.workload', 'Workload')}
              testId={testIds.peaks.workload}
              value={workload}
              onCommit={(v) => set({ workload: v })}
            />
            <KindFilter value={kind} onChange={(v) => set({ kind: v })} />
            {namespace && workload ? (
              <LinkButton
                variant="secondary"
                icon="apps"
                href={dashboardUrl(DASHBOARDS.workload, { cluster, namespace, workload, kind: kind || 'Deployment' })}
              >
                {t('peaks.workload-dashboard', 'Workload dashboard')}
              </LinkButton>
            ) : (
              <LinkButton
                variant="secondary"
                icon="apps"
                href={dashboardUrl(DASHBOARDS.cluster, { cluster, namespace, kind })}
              >
                {t('peaks.cluster-dashboard', 'Cluster dashboard')}
              </LinkButton>
            )}
          </Stack>

          {rangeError && <Text color="error">{rangeError}</Text>}

          {view === 'day' && !rangeError && (
            <Loadable
              state={byDay.state}
              loadingText={t('peaks.loading', 'Loading peak data...')}
              errorTitle={t('peaks.error', 'Could not load peak data')}
              onRetry={byDay.reload}
            >
              {(data) => {
                // Older backends ignore the kind parameter (and send no kind: Deployments).
                const items = filterByKind(data?.items ?? [], kind);
                if (items.length === 0) {
                  return <NoPeaks from={from} to={to} />;
                }
                const pages = Math.max(1, Math.ceil((data?.total ?? 0) / PAGE_SIZE));
                return (
                  <Stack direction="column" gap={1}>
                    <Text color="secondary" variant="bodySmall">
                      {t('peaks.count', '{{total}} rows from {{from}} to {{to}}', {
                        total: data?.total ?? 0,
                        from,
                        to,
                      })}
                    </Text>
                    <PeaksTable rows={items} showWorkload />
                    {pages > 1 && <Pagination currentPage={page} numberOfPages={pages} onNavigate={setPage} />}
                  </Stack>
                );
              }}
            </Loadable>
          )}

          {view === 'workload' && needsWorkload && (
            <Text color="secondary">
              {t(
                'peaks.pick-workload',
                'Enter a namespace and a workload (its kind: Deployment unless picked) to see its peak days.'
              )}
            </Text>
          )}

          {view === 'workload' && !needsWorkload && !rangeError && (
            <Loadable
              state={series.state}
              loadingText={t('peaks.loading', 'Loading peak data...')}
              errorTitle={t('peaks.error', 'Could not load peak data')}
              onRetry={series.reload}
            >
              {() => {
                if (seriesRows.length === 0) {
                  return <NoPeaks from={from} to={to} />;
                }
                const shown =
                  container === '' && !containers.includes('')
                    ? seriesRows
                    : seriesRows.filter((r) => r.container === container);
                return (
                  <Stack direction="column" gap={1}>
                    {containers.length > 1 && (
                      <RadioButtonGroup
                        size="sm"
                        options={containers.map((c) => ({
                          label: c === '' ? t('peaks.pod-total', 'pod total') : c,
                          value: c,
                        }))}
                        value={container}
                        onChange={setContainer}
                      />
                    )}
                    <PeaksTable rows={shown} showWorkload={false} />
                  </Stack>
                );
              }}
            </Loadable>
          )}
        </Stack>
      </div>
    </PluginPage>
  );
}

function validDay(v: string, fallback: string): string {
  return parseDay(v) ? v : fallback;
}

function NoPeaks({ from, to }: { from: string; to: string }) {
  return (
    <div data-testid={testIds.peaks.empty}>
      <EmptyState variant="not-found" message={t('peaks.empty', 'No peak data from {{from}} to {{to}}', { from, to })}>
        {t(
          'peaks.empty.help',
          'Collections run daily after each peak window; past days can be collected on the Clusters & settings page.'
        )}
      </EmptyState>
    </div>
  );
}

function DayInput(props: { label: string; testId: string; value: string; onChange: (day: string) => void }) {
  return (
    <Field label={props.label} noMargin>
      <Input
        type="date"
        width={20}
        data-testid={props.testId}
        value={props.value}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (parseDay(v)) {
            props.onChange(v);
          }
        }}
      />
    </Field>
  );
}

export default PeakData;
