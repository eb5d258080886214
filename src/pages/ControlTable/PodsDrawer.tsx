import React, { useState } from 'react';
import { t } from '../../i18n';
import {
  Alert,
  Badge,
  Button,
  type CellProps,
  Checkbox,
  type Column,
  ConfirmModal,
  Drawer,
  Field,
  Input,
  InteractiveTable,
  Stack,
  Text,
} from '@grafana/ui';

import { toApiError } from '../../api/client';
import { deletePods, isolatePod, listPods } from '../../api/pods';
import type { Pod, PodList } from '../../api/podTypes';
import type { WorkloadRef } from '../../api/types';
import { kindOf } from '../../api/workloadKind';
import { Loadable } from '../../components/Loadable';
import { formatMiB, formatMillis, formatTime } from '../../components/format';
import { useAsync } from '../../components/useAsync';
import { parseInteger } from './editForm';

/** Test ids of the Pods drawer (kept here so the drawer stays in its own files). */
export const podsTestIds = {
  drawer: 'data-testid kd-pods',
  row: (pod: string) => `data-testid kd-pods-row-${pod}`,
  isolated: (pod: string) => `data-testid kd-pods-isolated-${pod}`,
  isolate: (pod: string) => `data-testid kd-pods-isolate-${pod}`,
  remove: (pod: string) => `data-testid kd-pods-delete-${pod}`,
  select: (pod: string) => `data-testid kd-pods-select-${pod}`,
  deleteSelected: 'data-testid kd-pods-delete-selected',
  interval: 'data-testid kd-pods-interval',
  error: 'data-testid kd-pods-error',
  done: 'data-testid kd-pods-done',
};

interface Props {
  target: WorkloadRef;
  /** Editors see Isolate and Delete; the backend refuses them to Viewers either way. */
  canWrite: boolean;
  onClose: () => void;
}

/** The backend's bound on the pause between deletes (pkg/pods MaxInterval). */
const MAX_INTERVAL = 60;

type Pending = { op: 'isolate'; pod: Pod } | { op: 'delete'; pods: Pod[]; intervalSeconds: number };

/** A workload's pods from the cluster, with Isolate and Delete for Editors (docs/pods.md). */
export function PodsDrawer({ target, canWrite, onClose }: Props) {
  const { state, reload } = useAsync(
    () => listPods(target),
    [target.cluster, target.namespace, target.workload, target.kind]
  );
  const [pending, setPending] = useState<Pending>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const run = async (p: Pending) => {
    setPending(undefined);
    setError(undefined);
    setDone(undefined);
    try {
      if (p.op === 'isolate') {
        await isolatePod(target, p.pod.name);
        setDone(
          t('pods.isolated-done', 'Pod {{pod}} isolated; the workload starts a replacement.', { pod: p.pod.name })
        );
      } else {
        const names = p.pods.map((x) => x.name);
        const { results } = await deletePods(target, names, p.intervalSeconds);
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) {
          setError(failed.map((r) => `${r.pod}: ${r.error ?? ''}`).join('; '));
        } else {
          setDone(t('pods.deleted-done', 'Being deleted: {{pods}}.', { pods: names.join(', ') }));
        }
      }
    } catch (err) {
      setError(toApiError(err).message);
    }
    reload();
  };

  return (
    <Drawer
      title={t('pods.title', 'Pods of {{kind}} {{namespace}}/{{workload}}', { ...target, kind: kindOf(target) })}
      subtitle={target.cluster}
      onClose={onClose}
      size="lg"
    >
      <div data-testid={podsTestIds.drawer}>
        <Stack direction="column" gap={2}>
          {error && (
            <div data-testid={podsTestIds.error}>
              <Alert severity="error" title={t('pods.error', 'The operation was refused')}>
                {error}
              </Alert>
            </div>
          )}
          {done && (
            <div data-testid={podsTestIds.done}>
              <Alert severity="success" title={done} />
            </div>
          )}
          <Loadable
            state={state}
            loadingText={t('pods.loading', 'Loading the pods...')}
            errorTitle={t('pods.load-error', 'Could not list the pods')}
            onRetry={reload}
          >
            {(data) => <PodsTable list={data} canWrite={canWrite} onAsk={setPending} />}
          </Loadable>
        </Stack>
      </div>
      {pending && (
        <ConfirmModal
          isOpen
          title={
            pending.op === 'isolate'
              ? t('pods.isolate.title', 'Isolate pod {{pod}}?', { pod: pending.pod.name })
              : t('pods.delete.title', 'Delete {{pods}}?', { pods: pending.pods.map((p) => p.name).join(', ') })
          }
          body={confirmText(pending, state.kind === 'ready' ? state.data : undefined)}
          confirmText={
            pending.op === 'isolate' ? t('pods.isolate.confirm', 'Isolate') : t('pods.delete.confirm', 'Delete')
          }
          onConfirm={() => run(pending)}
          onDismiss={() => setPending(undefined)}
        />
      )}
    </Drawer>
  );
}

function confirmText(p: Pending, list: PodList | undefined): string {
  if (p.op === 'isolate') {
    return t(
      'pods.isolate.body',
      'Its label {{label}} becomes "{{label}}=…-isolated": the workload no longer counts it and starts a replacement, Services selecting by that label stop sending it traffic, and the pod keeps running for debugging until you delete it.',
      { label: list?.isolationLabel ?? '' }
    );
  }
  const grace = Math.max(...p.pods.map((x) => x.gracePeriodSeconds));
  const replaced = p.pods.some((x) => !x.isolated);
  let text = t(
    'pods.delete.body',
    'Each pod is stopped gracefully: its containers get up to {{grace}} seconds (the pod spec’s grace period) to end.',
    { grace }
  );
  if (p.pods.length > 1) {
    text += t('pods.delete.pause', ' Pods are deleted one by one, {{s}} seconds apart.', { s: p.intervalSeconds });
  }
  if (replaced) {
    text += t('pods.delete.replaced', ' The workload then starts replacements for its own pods.');
  }
  return text;
}

type Cell = CellProps<Pod>;

function PodsTable({ list, canWrite, onAsk }: { list: PodList; canWrite: boolean; onAsk: (p: Pending) => void }) {
  const writable = canWrite && !list.protected;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [interval, setInterval] = useState('10');
  const intervalSeconds = parseInteger(interval, 0, MAX_INTERVAL);
  const chosen = list.pods.filter((p) => selected.has(p.name) && !p.terminating);
  const toggle = (name: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(name)) {
        next.delete(name);
      } else {
        next.add(name);
      }
      return next;
    });
  const columns: Array<Column<Pod>> = [];
  if (writable) {
    columns.push({
      id: 'select',
      header: '',
      disableGrow: true,
      cell: ({ row }: Cell) => (
        <Checkbox
          data-testid={podsTestIds.select(row.original.name)}
          aria-label={t('pods.select', 'Select {{pod}}', { pod: row.original.name })}
          value={selected.has(row.original.name)}
          disabled={row.original.terminating}
          onChange={() => toggle(row.original.name)}
        />
      ),
    });
  }
  columns.push(
    {
      id: 'name',
      header: t('pods.col.name', 'Pod'),
      cell: ({ row }: Cell) => (
        <Stack direction="row" gap={1} alignItems="center">
          <span data-testid={podsTestIds.row(row.original.name)}>{row.original.name}</span>
          {row.original.isolated && (
            <span data-testid={podsTestIds.isolated(row.original.name)}>
              <Badge
                color="orange"
                text={t('pods.isolated', 'isolated')}
                tooltip={t('pods.isolated-tip', 'Isolated {{at}} by {{by}}', {
                  at: formatTime(row.original.isolatedAt),
                  by: row.original.isolatedBy ?? '',
                })}
              />
            </span>
          )}
          {row.original.terminating && <Badge color="red" text={t('pods.terminating', 'terminating')} />}
        </Stack>
      ),
    },
    { id: 'node', header: t('pods.col.node', 'Node') },
    { id: 'phase', header: t('pods.col.phase', 'Phase') },
    {
      id: 'ready',
      header: t('pods.col.ready', 'Ready'),
      cell: ({ row }: Cell) => `${row.original.ready}/${row.original.containers}`,
    },
    { id: 'restarts', header: t('pods.col.restarts', 'Restarts') },
    {
      id: 'ageSeconds',
      header: t('pods.col.age', 'Age'),
      cell: ({ row }: Cell) => formatAge(row.original.ageSeconds),
    },
    {
      id: 'resources',
      header: t('pods.col.resources', 'Requests / limits'),
      cell: ({ row }: Cell) => (
        <Stack direction="column" gap={0}>
          {row.original.resources.map((c) => (
            <Text key={c.name} variant="bodySmall">
              {`${c.name}: CPU ${formatMillis(c.cpuRequestMillis)} / ${formatMillis(c.cpuLimitMillis)}, ` +
                `memory ${formatMiB(c.memRequestMiB)} / ${formatMiB(c.memLimitMiB)}`}
            </Text>
          ))}
        </Stack>
      ),
    },
    {
      id: 'lastTerminationReason',
      header: t('pods.col.last-termination', 'Last termination'),
      cell: ({ row }: Cell) => row.original.lastTerminationReason || '—',
    },
    {
      id: 'gracePeriodSeconds',
      header: t('pods.col.grace', 'Grace period'),
      cell: ({ row }: Cell) => `${row.original.gracePeriodSeconds}s`,
    }
  );
  if (writable) {
    columns.push({
      id: 'actions',
      header: '',
      disableGrow: true,
      cell: ({ row }: Cell) => {
        const pod = row.original;
        return (
          <Stack direction="row" gap={1}>
            {!pod.isolated && list.isolationLabel !== '' && !pod.terminating && (
              <Button
                size="sm"
                variant="secondary"
                data-testid={podsTestIds.isolate(pod.name)}
                onClick={() => onAsk({ op: 'isolate', pod })}
              >
                {t('pods.isolate.button', 'Isolate')}
              </Button>
            )}
            <Button
              size="sm"
              variant="destructive"
              data-testid={podsTestIds.remove(pod.name)}
              disabled={pod.terminating}
              onClick={() => onAsk({ op: 'delete', pods: [pod], intervalSeconds: 0 })}
            >
              {t('pods.delete.button', 'Delete')}
            </Button>
          </Stack>
        );
      },
    });
  }
  return (
    <Stack direction="column" gap={1}>
      {list.protected && canWrite && (
        <Alert severity="info" title={t('pods.protected', 'Pods here cannot be isolated or deleted from KubeDoor')}>
          {list.protectedReason}
        </Alert>
      )}
      {writable && chosen.length > 0 && (
        <Stack direction="row" gap={1} alignItems="flex-end">
          <Field
            label={t('pods.interval', 'Seconds between deletes')}
            invalid={intervalSeconds === undefined}
            error={t('pods.interval-error', 'A whole number from 0 to {{max}}', { max: MAX_INTERVAL })}
          >
            <Input
              data-testid={podsTestIds.interval}
              width={12}
              value={interval}
              onChange={(e) => setInterval(e.currentTarget.value)}
            />
          </Field>
          <Button
            variant="destructive"
            data-testid={podsTestIds.deleteSelected}
            disabled={intervalSeconds === undefined}
            onClick={() => onAsk({ op: 'delete', pods: chosen, intervalSeconds: intervalSeconds ?? 0 })}
          >
            {t('pods.delete-selected', 'Delete {{n}} selected', { n: chosen.length })}
          </Button>
        </Stack>
      )}
      {writable && list.cannotIsolate && (
        <Text color="secondary">{t('pods.cannot-isolate', 'Isolation: {{why}}', { why: list.cannotIsolate })}</Text>
      )}
      {list.pods.length === 0 ? (
        <Text color="secondary">{t('pods.empty', 'The workload has no pods.')}</Text>
      ) : (
        <InteractiveTable columns={columns} data={list.pods} getRowId={(p) => p.name} />
      )}
    </Stack>
  );
}

/** 42 → "42s", 3700 → "1h 1m", 200000 → "2d 7h". */
export function formatAge(seconds: number): string {
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const m = Math.floor(seconds / 60);
  if (m < 60) {
    return `${m}m`;
  }
  const h = Math.floor(m / 60);
  if (h < 24) {
    return `${h}h ${m % 60}m`;
  }
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
