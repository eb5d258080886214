import React from 'react';
import { useSearchParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, EmptyState, Field, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import { getNodes } from '../../api/nodes';
import type { Fragmentation, NodeView } from '../../api/nodeTypes';
import { ClusterPicker, useClusterParam } from '../../components/ClusterPicker';
import { formatBytes, formatMillis } from '../../components/format';
import { Loadable } from '../../components/Loadable';
import { NoClusters } from '../../components/NoClusters';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { t } from '../../i18n';
import { type NodeSort, NodeTable, sortNodes } from './NodeTable';

const SORTS: NodeSort[] = ['requested', 'peak', 'name'];
const ids = testIds.nodes;

const amount = (cpuMillis: number, memBytes: number) => `${formatMillis(cpuMillis)} · ${formatBytes(memBytes)}`;

function fragmentationText(f: Fragmentation): string {
  return t('nodes.fragmentation.line', '{{stranded}} stranded of {{free}} free; {{fit}} typical pods fit', {
    stranded: amount(f.stranded.cpuMillis, f.stranded.memBytes),
    free: amount(f.free.cpuMillis, f.free.memBytes),
    fit: f.typicalPodsFit,
  });
}

/** Node capacity: per node requested vs control table vs peak, fragmentation and which nodes the table could free. */
function Nodes() {
  const [cluster, setCluster] = useClusterParam();
  const [params, setParams] = useSearchParams();
  const sort: NodeSort = SORTS.find((s) => s === params.get('sort')) ?? 'requested';
  const { state, reload } = useAsync(() => (cluster ? getNodes(cluster) : Promise.resolve(undefined)), [cluster]);

  if (!cluster) {
    return (
      <PluginPage>
        <NoClusters />
      </PluginPage>
    );
  }

  const setSort = (v: NodeSort) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set('sort', v);
        return next;
      },
      { replace: true }
    );

  const body = (v: NodeView | undefined) => {
    if (!v || v.nodes.length === 0) {
      return (
        <div data-testid={ids.empty}>
          <EmptyState variant="not-found" message={t('nodes.empty', 'The cluster lists no nodes')} />
        </div>
      );
    }
    const tot = v.totals;
    return (
      <Stack direction="column" gap={2}>
        <div data-testid={ids.summary}>
          <Stack direction="column" gap={0.5}>
            <Text>
              {t(
                'nodes.totals',
                '{{nodes}} nodes, {{pods}} pods: allocatable {{alloc}}; requested {{req}}; under the table {{table}}; peak {{peak}}; requested but unused at the peak {{unused}}',
                {
                  nodes: v.nodes.length,
                  pods: tot.pods,
                  alloc: amount(tot.allocatable.cpuMillis, tot.allocatable.memBytes),
                  req: amount(tot.requested.cpuMillis, tot.requested.memBytes),
                  table: amount(tot.table.cpuMillis, tot.table.memBytes),
                  peak: amount(tot.peak.cpuMillis, tot.peak.memBytes),
                  unused: amount(tot.unusedAtPeak.cpuMillis, tot.unusedAtPeak.memBytes),
                }
              )}
            </Text>
            <Text color="secondary" variant="bodySmall">
              {t('nodes.peaks-from', 'Peaks: each workload’s highest-load day from {{from}} to {{to}}, worst pod.', {
                from: v.from,
                to: v.to,
              })}
              {v.pendingPods > 0 &&
                ' ' + t('nodes.pending', '{{n}} pods wait for a node and are in no node’s sums.', { n: v.pendingPods })}
            </Text>
          </Stack>
        </div>
        <div data-testid={ids.fragmentation}>
          <Stack direction="column" gap={0.5}>
            <Text element="h4">{t('nodes.fragmentation', 'Fragmentation')}</Text>
            {v.typicalPodFrom === 0 ? (
              <Text color="secondary">{t('nodes.fragmentation.none', 'No pods to take a typical size from.')}</Text>
            ) : (
              <>
                <Text color="secondary" variant="bodySmall">
                  {t(
                    'nodes.typical',
                    'Typical pod: {{size}} (the median table request of {{n}} pods, DaemonSets left out).',
                    {
                      size: amount(v.typicalPod.cpuMillis, v.typicalPod.memBytes),
                      n: v.typicalPodFrom,
                    }
                  )}
                </Text>
                <Text>
                  {t('nodes.fragmentation.now', 'Now: {{line}}', { line: fragmentationText(v.fragmentation) })}
                </Text>
                <Text>
                  {t('nodes.fragmentation.table', 'Under the table: {{line}}', {
                    line: fragmentationText(v.fragmentationTable),
                  })}
                </Text>
              </>
            )}
          </Stack>
        </div>
        <div data-testid={ids.drainable}>
          <Alert
            severity="info"
            title={t('nodes.drainable.title', 'Drainable under the table (estimate): {{names}}', {
              names: v.drainable.length > 0 ? v.drainable.join(', ') : t('nodes.drainable.none', 'none'),
            })}
          >
            <Badge color="blue" icon="info-circle" text={t('nodes.estimate', 'estimate')} />{' '}
            {t(
              'nodes.drainable.help',
              'Each node alone: its pods but DaemonSets’ placed first-fit, largest CPU first, into the other schedulable nodes’ free allocatable at the control table’s requests. Affinity, taints, ports, volumes and pod limits are not read.'
            )}
          </Alert>
        </div>
        <NodeTable nodes={sortNodes(v.nodes, sort)} />
      </Stack>
    );
  };

  return (
    <PluginPage>
      <div data-testid={ids.container}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" wrap="wrap" alignItems="flex-end" gap={2}>
            <ClusterPicker value={cluster} onChange={setCluster} />
            <Field label={t('nodes.sort', 'Order by')} noMargin>
              <div data-testid={ids.sort}>
                <RadioButtonGroup
                  options={[
                    { label: t('nodes.sort.requested', 'Requested share'), value: 'requested' as const },
                    { label: t('nodes.sort.peak', 'Peak-used share'), value: 'peak' as const },
                    { label: t('nodes.sort.name', 'Name'), value: 'name' as const },
                  ]}
                  value={sort}
                  onChange={setSort}
                />
              </div>
            </Field>
          </Stack>
          <Loadable
            state={state}
            loadingText={t('nodes.loading', 'Reading nodes and pods...')}
            errorTitle={t('nodes.error', 'Could not load the nodes')}
            onRetry={reload}
          >
            {body}
          </Loadable>
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Nodes;
