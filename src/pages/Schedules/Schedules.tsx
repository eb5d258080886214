import React, { useMemo, useState } from 'react';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Badge,
  Button,
  type CellProps,
  type Column,
  ConfirmModal,
  EmptyState,
  IconButton,
  InteractiveTable,
  Stack,
  Text,
} from '@grafana/ui';

import { toApiError } from '../../api/client';
import { getClusterHealth } from '../../api/clusters';
import { deleteSchedule, listSchedules, pauseSchedule, resumeSchedule } from '../../api/schedules';
import type { Schedule } from '../../api/types';
import { useAppContext, usePermissions } from '../../components/AppContext';
import { ClusterPicker, useClusterParam } from '../../components/ClusterPicker';
import { Loadable } from '../../components/Loadable';
import { NoClusters } from '../../components/NoClusters';
import { formatTime } from '../../components/format';
import { workloadTarget } from '../../api/workloadKind';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { isTimeZone, wallTimeAt } from '../../components/zonedTime';
import { ScheduleDialog } from './ScheduleDialog';
import { formFromSchedule, type ScheduleForm } from './scheduleForm';
import { RunsDrawer } from './RunsDrawer';

type Cell = CellProps<Schedule>;

interface Props {
  now?: () => number;
}

function Schedules({ now }: Props) {
  const [cluster, setCluster] = useClusterParam();
  const { clusters } = useAppContext();
  const { canWrite } = usePermissions();
  const { state, reload } = useAsync(
    () => (cluster ? listSchedules({ cluster, limit: 1000 }) : Promise.resolve(undefined)),
    [cluster]
  );
  // Who runs this cluster's schedules; only a blocked runner is shown. A failed health call
  // leaves the page as it is: the schedules themselves still load.
  const runner = useAsync(
    () => (cluster ? getClusterHealth(cluster).then((h) => h.schedules) : Promise.resolve(null)),
    [cluster]
  );
  const blocked = runner.state.kind === 'ready' && runner.state.data?.state === 'blocked' ? runner.state.data : null;
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<{ schedule: Schedule; form: ScheduleForm }>();
  const [runsOf, setRunsOf] = useState<Schedule>();
  const [removing, setRemoving] = useState<Schedule>();
  const [actionError, setActionError] = useState<string>();

  const act = async (what: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await what();
      reload();
    } catch (err) {
      setActionError(toApiError(err).message);
    }
  };

  const columns = useMemo<Array<Column<Schedule>>>(
    () => [
      { id: 'name', header: t('schedules.col.name', 'Name'), sortType: 'string' },
      { id: 'action', header: t('schedules.col.action', 'Action'), sortType: 'string' },
      {
        id: 'when',
        header: t('schedules.col.when', 'When'),
        cell: ({ row }: Cell) =>
          row.original.kind === 'once'
            ? t('schedules.when.once', 'once at {{at}} ({{zone}})', {
                at: formatInZone(row.original.runAt, row.original.timeZone),
                zone: row.original.timeZone,
              })
            : t('schedules.when.cron', '{{cron}} ({{zone}})', { cron: row.original.cron, zone: row.original.timeZone }),
      },
      {
        id: 'nextRunAt',
        header: t('schedules.col.next', 'Next run'),
        sortType: 'string',
        cell: ({ row }: Cell) => formatTime(row.original.nextRunAt),
      },
      {
        id: 'items',
        header: t('schedules.col.items', 'Workloads'),
        cell: ({ row }: Cell) => {
          const items = row.original.items ?? [];
          const text = items.map(
            (i) =>
              `${workloadTarget(i.namespace, i.workload, i.kind)}${i.replicas !== undefined ? `→${i.replicas}` : ''}`
          );
          return (
            <Text truncate title={text.join(', ')}>
              {row.original.action === 'collect'
                ? '—'
                : text.slice(0, 3).join(', ') + (text.length > 3 ? ` +${text.length - 3}` : '')}
            </Text>
          );
        },
      },
      {
        id: 'enabled',
        header: t('schedules.col.state', 'State'),
        cell: ({ row }: Cell) =>
          row.original.enabled ? (
            <Badge text={t('schedules.state.active', 'active')} color="green" />
          ) : (
            <Badge text={t('schedules.state.paused', 'paused')} color="orange" icon="pause" />
          ),
      },
      { id: 'createdBy', header: t('schedules.col.by', 'Created by'), sortType: 'string' },
      {
        id: 'actions',
        header: '',
        disableGrow: true,
        cell: ({ row }: Cell) => {
          const s = row.original;
          return (
            <Stack direction="row" gap={0.5}>
              <IconButton
                name="history"
                data-testid={testIds.schedules.runs(s.id)}
                tooltip={t('schedules.action.runs', 'Runs')}
                onClick={() => setRunsOf(s)}
              />
              {canWrite && <EditButton schedule={s} onEdit={setEditing} />}
              {canWrite &&
                (s.enabled ? (
                  <IconButton
                    name="pause"
                    data-testid={testIds.schedules.pause(s.id)}
                    tooltip={t('schedules.action.pause', 'Pause')}
                    onClick={() => act(() => pauseSchedule(s.id))}
                  />
                ) : (
                  <IconButton
                    name="play"
                    data-testid={testIds.schedules.resume(s.id)}
                    tooltip={t('schedules.action.resume', 'Resume')}
                    onClick={() => act(() => resumeSchedule(s.id))}
                  />
                ))}
              {canWrite && (
                <IconButton
                  name="trash-alt"
                  data-testid={testIds.schedules.remove(s.id)}
                  tooltip={t('schedules.action.delete', 'Delete')}
                  onClick={() => setRemoving(s)}
                />
              )}
            </Stack>
          );
        },
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [canWrite]
  );

  if (!cluster) {
    return (
      <PluginPage>
        <NoClusters />
      </PluginPage>
    );
  }
  const zone = clusters.find((c) => c.name === cluster)?.timeZone || 'UTC';

  return (
    <PluginPage>
      <div data-testid={testIds.schedules.container}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" alignItems="flex-end" justifyContent="space-between">
            <ClusterPicker value={cluster} onChange={setCluster} />
            {canWrite && (
              <Button icon="plus" data-testid={testIds.schedules.create} onClick={() => setCreating(true)}>
                {t('schedules.create.button', 'New schedule')}
              </Button>
            )}
          </Stack>
          {blocked && (
            <Alert severity="error" title={t('schedules.blocked.title', 'Scale and restart schedules cannot run')}>
              {t(
                'schedules.blocked.text',
                '{{reason}}. Their due runs are recorded as missed with this reason; collection schedules still run.',
                { reason: blocked.reason ?? '' }
              )}
            </Alert>
          )}
          {actionError && (
            <Alert
              severity="error"
              title={t('schedules.action.failed', 'Not done')}
              onRemove={() => setActionError(undefined)}
            >
              {actionError}
            </Alert>
          )}
          <Loadable
            state={state}
            loadingText={t('schedules.loading', 'Loading schedules...')}
            errorTitle={t('schedules.error', 'Could not load the schedules')}
            onRetry={reload}
          >
            {(data) =>
              (data?.items ?? []).length === 0 ? (
                <div data-testid={testIds.schedules.empty}>
                  <EmptyState
                    variant="call-to-action"
                    message={t('schedules.empty', 'No schedule in {{cluster}}', { cluster })}
                  >
                    {t(
                      'schedules.empty.help',
                      'Scale or restart workloads at a time, or on a cron in any time zone; every run is recorded.'
                    )}
                  </EmptyState>
                </div>
              ) : (
                <div data-testid={testIds.schedules.table}>
                  <InteractiveTable columns={columns} data={data?.items ?? []} getRowId={(s) => s.id} pageSize={50} />
                </div>
              )
            }
          </Loadable>
        </Stack>
        {creating && (
          <ScheduleDialog
            cluster={cluster}
            timeZone={zone}
            now={now}
            onClose={() => setCreating(false)}
            onSaved={reload}
          />
        )}
        {editing && (
          <ScheduleDialog
            cluster={cluster}
            timeZone={zone}
            editing={editing}
            now={now}
            onClose={() => setEditing(undefined)}
            onSaved={reload}
          />
        )}
        {runsOf && <RunsDrawer schedule={runsOf} onClose={() => setRunsOf(undefined)} />}
        {removing && (
          <ConfirmModal
            isOpen
            title={t('schedules.delete.title', 'Delete the schedule "{{name}}"?', { name: removing.name })}
            body={t('schedules.delete.body', 'It will not run again. Its past runs stay in the audit log.')}
            confirmText={t('schedules.delete.confirm', 'Delete')}
            onConfirm={() => {
              const id = removing.id;
              setRemoving(undefined);
              act(() => deleteSchedule(id));
            }}
            onDismiss={() => setRemoving(undefined)}
          />
        )}
      </div>
    </PluginPage>
  );
}

/** "2026-11-23 10:00" as the clock reads in the schedule's own zone. */
function formatInZone(iso: string | null, zone: string): string {
  const ms = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms) || !isTimeZone(zone)) {
    return iso ?? '—';
  }
  const w = wallTimeAt(ms, zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

export default Schedules;

/** Opens the edit dialog, or says why the form cannot show this schedule. */
function EditButton({
  schedule,
  onEdit,
}: {
  schedule: Schedule;
  onEdit: (e: { schedule: Schedule; form: ScheduleForm }) => void;
}) {
  const form = formFromSchedule(schedule);
  if ('unsupported' in form) {
    return (
      <IconButton name="pen" disabled tooltip={form.unsupported} data-testid={testIds.schedules.edit(schedule.id)} />
    );
  }
  return (
    <IconButton
      name="pen"
      data-testid={testIds.schedules.edit(schedule.id)}
      tooltip={t('schedules.action.edit', 'Edit')}
      onClick={() => onEdit({ schedule, form })}
    />
  );
}
