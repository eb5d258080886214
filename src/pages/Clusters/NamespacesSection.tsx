import React, { useMemo, useState } from 'react';
import { t } from '../../i18n';
import {
  Alert,
  Badge,
  type CellProps,
  type Column,
  ConfirmModal,
  EmptyState,
  FieldSet,
  InteractiveTable,
  RadioButtonGroup,
  Stack,
  Text,
  Tooltip,
} from '@grafana/ui';

import { toApiError } from '../../api/client';
import { listNamespaces, putEnforcement } from '../../api/enforcement';
import type { ControlMode, EnforcementUpdate, NamespaceItem, UnknownWorkloads } from '../../api/types';
import { Loadable } from '../../components/Loadable';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { EnforcePreview } from './EnforcePreview';

type Cell = CellProps<NamespaceItem>;

interface Props {
  cluster: string;
  canAdmin: boolean;
}

/** Each namespace's enforcement switch (label kubedoor.io/control) and unknown-workload rule. */
export function NamespacesSection({ cluster, canAdmin }: Props) {
  const { state, reload, setData } = useAsync(() => listNamespaces(cluster), [cluster]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [confirm, setConfirm] = useState<{ ns: NamespaceItem; body: EnforcementUpdate }>();

  const apply = async (ns: NamespaceItem, body: EnforcementUpdate) => {
    setError(undefined);
    setBusy(ns.name);
    try {
      const updated = await putEnforcement(cluster, ns.name, body);
      if (state.kind === 'ready') {
        setData({ ...state.data, items: (state.data.items ?? []).map((n) => (n.name === updated.name ? updated : n)) });
      }
    } catch (err) {
      setError(
        t('clusters.ns.failed', '{{namespace}}: {{error}}', { namespace: ns.name, error: toApiError(err).message })
      );
    }
    setBusy(undefined);
  };

  const change = (ns: NamespaceItem, body: EnforcementUpdate) =>
    body.control === 'enforce' && ns.control !== 'enforce' ? setConfirm({ ns, body }) : apply(ns, body);

  const columns = useMemo<Array<Column<NamespaceItem>>>(
    () => [
      {
        id: 'name',
        header: t('clusters.ns.name', 'Namespace'),
        sortType: 'string',
        cell: ({ row }: Cell) => (
          <Stack direction="column" gap={0}>
            <Stack direction="row" gap={1} alignItems="center">
              <Text>{row.original.name}</Text>
              {row.original.protected && (
                <Tooltip
                  content={t(
                    'clusters.ns.protected-tip',
                    'kube-system and the KubeDoor namespace are never enforced or observed'
                  )}
                >
                  <Badge text={t('clusters.ns.protected', 'protected')} color="darkgrey" icon="lock" />
                </Tooltip>
              )}
            </Stack>
            {(row.original.notes ?? []).map((n) => (
              <Text key={n} variant="bodySmall" color="warning">
                {n}
              </Text>
            ))}
          </Stack>
        ),
      },
      {
        id: 'control',
        header: t('clusters.ns.control', 'Enforcement'),
        cell: ({ row }: Cell) => {
          const ns = row.original;
          if (!canAdmin) {
            return <ControlBadge mode={ns.control} />;
          }
          return (
            <RadioButtonGroup<ControlMode>
              size="sm"
              data-testid={testIds.clusters.namespaceControl(ns.name)}
              disabled={busy === ns.name}
              // A protected namespace may only lose the label.
              disabledOptions={ns.protected ? ['observe', 'enforce'] : []}
              options={[
                { label: t('clusters.ns.off', 'Off'), value: '' },
                { label: t('clusters.ns.observe', 'Observe'), value: 'observe' },
                { label: t('clusters.ns.enforce', 'Enforce'), value: 'enforce' },
              ]}
              value={ns.control}
              onChange={(control) => change(ns, { control, unknownWorkloads: ns.unknownWorkloads })}
            />
          );
        },
      },
      {
        id: 'unknownWorkloads',
        header: t('clusters.ns.unknown', 'Workloads not in the table'),
        cell: ({ row }: Cell) => {
          const ns = row.original;
          if (!canAdmin) {
            return <Text>{ns.unknownWorkloads}</Text>;
          }
          return (
            <RadioButtonGroup<UnknownWorkloads>
              size="sm"
              data-testid={testIds.clusters.namespaceUnknown(ns.name)}
              disabled={busy === ns.name}
              options={[
                { label: t('clusters.ns.deny', 'Deny'), value: 'deny' },
                { label: t('clusters.ns.warn', 'Warn'), value: 'warn' },
                { label: t('clusters.ns.allow', 'Allow'), value: 'allow' },
              ]}
              value={ns.unknownWorkloads}
              onChange={(unknownWorkloads) => change(ns, { control: ns.control, unknownWorkloads })}
            />
          );
        },
      },
      {
        id: 'target',
        header: t('clusters.ns.target', 'Writes to'),
        cell: ({ row }: Cell) =>
          row.original.target === 'pods' ? (
            <Tooltip
              content={t(
                'clusters.ns.targetPodsHelp',
                "Label kubedoor.io/control-target=pods: each Pod gets the table's requests and limits when it is created; the workload objects (and their replicas) are never changed, so GitOps sees no drift and replicas are not forced."
              )}
            >
              <span data-testid={testIds.clusters.namespaceTarget(row.original.name)}>
                <Badge text={t('clusters.ns.targetPods', 'Pods (replicas not forced)')} color="purple" />
              </span>
            </Tooltip>
          ) : (
            <Text color="secondary">
              <span data-testid={testIds.clusters.namespaceTarget(row.original.name)}>
                {t('clusters.ns.targetTemplate', 'Workloads')}
              </span>
            </Text>
          ),
      },
      { id: 'policies', header: t('clusters.ns.policies', 'Policies'), sortType: 'number' },
      { id: 'workloads', header: t('clusters.ns.workloads', 'Deployments'), sortType: 'number' },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [canAdmin, busy, state]
  );

  return (
    <FieldSet label={t('clusters.ns.title', 'Namespaces')}>
      <div data-testid={testIds.clusters.namespaces}>
        {error && (
          <div data-testid={testIds.clusters.namespaceError}>
            <Alert
              severity="error"
              title={t('clusters.ns.not-changed', 'Not changed')}
              onRemove={() => setError(undefined)}
            >
              {error}
            </Alert>
          </div>
        )}
        {state.kind === 'ready' && (state.data.warnings ?? []).length > 0 && (
          <Alert severity="warning" title={t('clusters.ns.warnings', 'Not everything could be counted')}>
            {(state.data.warnings ?? []).join('; ')}
          </Alert>
        )}
        <Loadable
          state={state}
          loadingText={t('clusters.ns.loading', 'Loading namespaces...')}
          errorTitle={t('clusters.ns.error', 'Could not list the namespaces')}
          onRetry={reload}
        >
          {(data) =>
            (data.items ?? []).length === 0 ? (
              <EmptyState variant="not-found" message={t('clusters.ns.empty', 'No namespace found in this cluster')} />
            ) : (
              <InteractiveTable columns={columns} data={data.items ?? []} getRowId={(n) => n.name} pageSize={25} />
            )
          }
        </Loadable>
      </div>
      {confirm && (
        <ConfirmModal
          isOpen
          title={t('clusters.ns.confirm-title', 'Enforce the control table in {{namespace}}?', {
            namespace: confirm.ns.name,
          })}
          body={
            <>
              <p>
                {t(
                  'clusters.ns.confirm-body',
                  'From now on every Deployment, StatefulSet and DaemonSet create, update, scale and restart in {{namespace}} gets the replicas (DaemonSets have none) and resources of the control table ({{policies}} policies). Workloads not in the table are handled as "{{unknown}}" unless the namespace sets a rule for their kind.',
                  {
                    namespace: confirm.ns.name,
                    policies: confirm.ns.policies,
                    unknown: confirm.body.unknownWorkloads ?? confirm.ns.unknownWorkloads,
                  }
                )}
              </p>
              <EnforcePreview cluster={cluster} namespace={confirm.ns.name} />
            </>
          }
          confirmText={t('clusters.ns.confirm', 'Enforce')}
          onConfirm={() => {
            const c = confirm;
            setConfirm(undefined);
            apply(c.ns, c.body);
          }}
          onDismiss={() => setConfirm(undefined)}
        />
      )}
    </FieldSet>
  );
}

function ControlBadge({ mode }: { mode: ControlMode }) {
  if (mode === 'enforce') {
    return <Badge text={t('clusters.ns.enforce', 'Enforce')} color="green" icon="lock" />;
  }
  if (mode === 'observe') {
    return <Badge text={t('clusters.ns.observe', 'Observe')} color="blue" icon="eye" />;
  }
  return <Text color="secondary">{t('clusters.ns.off', 'Off')}</Text>;
}
