import React, { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Combobox,
  ConfirmModal,
  EmptyState,
  Field,
  FilterInput,
  InteractiveTable,
  LinkButton,
  Stack,
  Text,
} from '@grafana/ui';

import { toApiError } from '../../api/client';
import { deleteControl, listAllControl } from '../../api/control';
import type { ControlRow } from '../../api/types';
import { kindParam, replicasOf } from '../../api/workloadKind';
import { AcceptDialog, type AcceptItem } from '../../components/AcceptDialog';
import { usePermissions } from '../../components/AppContext';
import { ClusterPicker, useClusterParam } from '../../components/ClusterPicker';
import { Loadable } from '../../components/Loadable';
import { NoClusters } from '../../components/NoClusters';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { filterByKind, KindFilter, kindFilterOf } from '../../components/WorkloadKind';
import { DASHBOARDS, dashboardUrl, pageUrl, ROUTES } from '../../constants';
import { BatchDialog, type BatchKind, canScaleRow } from './BatchDialog';
import { buildColumns, rowKey, toTableRows } from './columns';
import { EditDialog, type EditTarget } from './EditDialog';
import { HistoryDrawer } from './HistoryDrawer';
import { PodsDrawer } from './PodsDrawer';
import { hasRecommendation, toAcceptItem } from './RecommendedCell';
import { ResizeDialog } from './ResizeDialog';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

function ControlTable() {
  const [cluster, setCluster] = useClusterParam();
  const [params, setParams] = useSearchParams();
  const namespace = params.get('namespace') ?? '';
  const q = params.get('q') ?? '';
  const kind = kindFilterOf(params.get('kind'));
  const [search, setSearch] = useState(q);
  const { canWrite } = usePermissions();

  const setParam = (key: string, value: string) =>
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

  // The text search asks the backend once typing pauses.
  useEffect(() => {
    if (search === q) {
      return;
    }
    const timer = setTimeout(() => setParam('q', search.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const { state, reload } = useAsync(
    () => (cluster ? listAllControl({ cluster, namespace, kind: kind || undefined, q }) : Promise.resolve(undefined)),
    [cluster, namespace, kind, q]
  );

  // Namespaces seen while unfiltered, so the namespace picker keeps its options once one is chosen.
  const [known, setKnown] = useState<{ from?: unknown; names: string[] }>({ names: [] });
  if (state.kind === 'ready' && state.data && !namespace && !q && !kind && known.from !== state.data) {
    setKnown({ from: state.data, names: Array.from(new Set(state.data.items.map((r) => r.namespace))).sort() });
  }

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<EditTarget>();
  const [history, setHistory] = useState<ControlRow>();
  const [pods, setPods] = useState<ControlRow>();
  const [removing, setRemoving] = useState<ControlRow>();
  const [removeError, setRemoveError] = useState<string>();
  const [batch, setBatch] = useState<BatchKind>();
  const [accepting, setAccepting] = useState<AcceptItem[]>();
  const [resizing, setResizing] = useState<ControlRow>();

  // A new filter starts a new selection.
  const filterKey = `${cluster}\n${namespace}\n${kind}\n${q}`;
  const [selectedFor, setSelectedFor] = useState(filterKey);
  if (selectedFor !== filterKey) {
    setSelectedFor(filterKey);
    setSelected(new Set());
  }

  // Older backends ignore the kind parameter: the browser filters too (their rows are Deployments).
  const rows = useMemo(
    () => (state.kind === 'ready' && state.data ? filterByKind(state.data.items, kind) : []),
    [state, kind]
  );
  const tableRows = useMemo(() => toTableRows(rows), [rows]);
  const selectedRows = rows.filter((r) => selected.has(rowKey(r)));
  const acceptable = selectedRows.filter(hasRecommendation);
  const scalable = selectedRows.filter(canScaleRow);
  const columns = useMemo(
    () =>
      buildColumns({
        canWrite,
        selected,
        toggle: (key) =>
          setSelected((s) => {
            const next = new Set(s);
            if (next.has(key)) {
              next.delete(key);
            } else {
              next.add(key);
            }
            return next;
          }),
        onEdit: (row) => setEditing({ kind: 'edit', row }),
        onHistory: setHistory,
        onPods: setPods,
        onRemove: (row) => {
          setRemoveError(undefined);
          setRemoving(row);
        },
        onAccept: (row) => setAccepting([toAcceptItem(row)]),
        onResize: setResizing,
      }),
    [canWrite, selected]
  );

  const remove = async (row: ControlRow) => {
    try {
      await deleteControl(row, row.version);
      setRemoving(undefined);
      reload();
    } catch (err) {
      setRemoving(undefined);
      setRemoveError(toApiError(err).message);
    }
  };

  if (!cluster) {
    return (
      <PluginPage>
        <NoClusters />
      </PluginPage>
    );
  }

  const namespaceOptions = known.names.map((n) => ({ label: n, value: n }));

  return (
    <PluginPage>
      <div data-testid={testIds.control.container}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" wrap="wrap" alignItems="flex-end" gap={2}>
            <ClusterPicker value={cluster} onChange={setCluster} />
            <Field label={t('control.filter.namespace', 'Namespace')} noMargin>
              <Combobox
                data-testid={testIds.control.namespace}
                width={24}
                isClearable
                createCustomValue
                placeholder={t('control.filter.all-namespaces', 'All namespaces')}
                options={namespaceOptions}
                value={namespace || null}
                onChange={(opt) => setParam('namespace', opt?.value ?? '')}
              />
            </Field>
            <KindFilter value={kind} onChange={(v) => setParam('kind', v)} />
            <Field label={t('control.filter.search', 'Search')} noMargin>
              <FilterInput
                data-testid={testIds.control.search}
                width={32}
                placeholder={t('control.filter.search-placeholder', 'Name or namespace contains...')}
                value={search}
                onChange={setSearch}
              />
            </Field>
            <Stack direction="row" gap={1}>
              <LinkButton
                variant="secondary"
                icon="apps"
                href={dashboardUrl(DASHBOARDS.cluster, { cluster, namespace, kind })}
              >
                {t('control.dashboard', 'Peak dashboard')}
              </LinkButton>
              <LinkButton
                variant="secondary"
                icon="dollar-alt"
                href={pageUrl(ROUTES.Recommendations, { cluster, namespace })}
              >
                {t('control.recommendations', 'Recommendations')}
              </LinkButton>
              {canWrite && (
                <>
                  <Button
                    variant="secondary"
                    icon="arrows-v"
                    data-testid={testIds.control.batchScale}
                    disabled={scalable.length === 0}
                    tooltip={
                      scalable.length < selectedRows.length
                        ? t('control.batch.scale-no-ds', 'DaemonSets have no replicas: only restart them')
                        : undefined
                    }
                    onClick={() => setBatch('scale')}
                  >
                    {t('control.batch.scale-button', 'Scale selected ({{count}})', { count: scalable.length })}
                  </Button>
                  <Button
                    variant="secondary"
                    icon="sync"
                    data-testid={testIds.control.batchRestart}
                    disabled={selectedRows.length === 0}
                    onClick={() => setBatch('restart')}
                  >
                    {t('control.batch.restart-button', 'Restart selected ({{count}})', { count: selectedRows.length })}
                  </Button>
                  <Button
                    variant="secondary"
                    icon="check-circle"
                    data-testid={testIds.control.batchAccept}
                    disabled={acceptable.length === 0}
                    onClick={() => setAccepting(acceptable.map(toAcceptItem))}
                  >
                    {t('control.batch.accept-button', 'Accept recommendations ({{count}})', {
                      count: acceptable.length,
                    })}
                  </Button>
                  <Button
                    icon="plus"
                    data-testid={testIds.control.add}
                    onClick={() => setEditing({ kind: 'add', cluster })}
                  >
                    {t('control.add.button', 'Add workload')}
                  </Button>
                </>
              )}
            </Stack>
          </Stack>

          {removeError && (
            <Alert
              severity="error"
              title={t('control.remove.failed', 'Not removed')}
              onRemove={() => setRemoveError(undefined)}
            >
              {removeError}
            </Alert>
          )}

          <Loadable
            state={state}
            loadingText={t('control.loading', 'Loading the control table...')}
            errorTitle={t('control.error', 'Could not load the control table')}
            onRetry={reload}
          >
            {(data) =>
              !data || rows.length === 0 ? (
                <div data-testid={testIds.control.empty}>
                  <EmptyState
                    variant={namespace || q || kind ? 'not-found' : 'call-to-action'}
                    message={
                      namespace || q || kind
                        ? t('control.empty.filtered', 'No workload matches these filters')
                        : t('control.empty.title', 'No workload is under control in {{cluster}} yet', { cluster })
                    }
                  >
                    {namespace || q || kind
                      ? ''
                      : t(
                          'control.empty.help',
                          'Collect peak data on the Clusters & settings page: every workload seen is added here.'
                        )}
                  </EmptyState>
                </div>
              ) : (
                <div data-testid={testIds.control.table}>
                  <Stack direction="column" gap={1}>
                    <Text color="secondary" variant="bodySmall">
                      {data.truncated
                        ? t(
                            'control.count-truncated',
                            'Showing the first {{shown}} of {{total}} workloads; narrow the filters.',
                            {
                              shown: data.items.length,
                              total: data.total,
                            }
                          )
                        : t('control.count', '{{total}} workloads', {
                            total: rows.length < data.items.length ? rows.length : data.total,
                          })}
                    </Text>
                    <InteractiveTable columns={columns} data={tableRows} getRowId={(r) => r.key} pageSize={PAGE_SIZE} />
                  </Stack>
                </div>
              )
            }
          </Loadable>
        </Stack>

        {editing && <EditDialog target={editing} onClose={() => setEditing(undefined)} onSaved={() => reload()} />}
        {history && (
          <HistoryDrawer
            target={{
              cluster: history.cluster,
              namespace: history.namespace,
              workload: history.workload,
              kind: kindParam(history.kind),
            }}
            replicas={replicasOf(history)}
            onClose={() => setHistory(undefined)}
          />
        )}
        {pods && (
          <PodsDrawer
            target={{
              cluster: pods.cluster,
              namespace: pods.namespace,
              workload: pods.workload,
              kind: kindParam(pods.kind),
            }}
            canWrite={canWrite}
            onClose={() => setPods(undefined)}
          />
        )}
        {batch && <BatchDialog kind={batch} rows={selectedRows} onClose={() => setBatch(undefined)} onDone={reload} />}
        {resizing && <ResizeDialog row={resizing} onClose={() => setResizing(undefined)} />}
        {accepting && (
          <AcceptDialog cluster={cluster} items={accepting} onClose={() => setAccepting(undefined)} onDone={reload} />
        )}
        {removing && (
          <ConfirmModal
            isOpen
            title={t('control.remove.title', 'Remove {{target}} from control?', { target: rowKey(removing) })}
            body={t(
              'control.remove.body',
              'The webhook stops enforcing its replicas and resources. Depending on the namespace, new rollouts of it may then be denied as unknown.'
            )}
            confirmText={t('control.remove.confirm', 'Remove')}
            onConfirm={() => remove(removing)}
            onDismiss={() => setRemoving(undefined)}
          />
        )}
      </div>
    </PluginPage>
  );
}

export default ControlTable;
