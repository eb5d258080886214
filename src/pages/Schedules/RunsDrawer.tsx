import React from 'react';
import { t } from '../../i18n';
import { Badge, type BadgeColor, type CellProps, type Column, Drawer, InteractiveTable, Text } from '@grafana/ui';

import { listScheduleRuns } from '../../api/schedules';
import type { Run, RunStatus, Schedule } from '../../api/types';
import { Loadable } from '../../components/Loadable';
import { formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { ActionResults } from '../ControlTable/BatchDialog';

const STATUS_COLOR: Record<RunStatus, BadgeColor> = {
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  missed: 'orange',
};

type Cell = CellProps<Run>;

/** A schedule's runs, newest first; expand a run for each workload's result. */
export function RunsDrawer({ schedule, onClose }: { schedule: Schedule; onClose: () => void }) {
  const { state, reload } = useAsync(() => listScheduleRuns(schedule.id, { limit: 100 }), [schedule.id]);
  const columns: Array<Column<Run>> = [
    {
      id: 'scheduledFor',
      header: t('schedules.runs.for', 'Scheduled for'),
      cell: ({ row }: Cell) => formatTime(row.original.scheduledFor),
    },
    {
      id: 'startedAt',
      header: t('schedules.runs.started', 'Started'),
      cell: ({ row }: Cell) => formatTime(row.original.startedAt),
    },
    {
      id: 'finishedAt',
      header: t('schedules.runs.finished', 'Finished'),
      cell: ({ row }: Cell) => formatTime(row.original.finishedAt),
    },
    {
      id: 'status',
      header: t('schedules.runs.status', 'Status'),
      cell: ({ row }: Cell) => (
        <Badge text={row.original.status} color={STATUS_COLOR[row.original.status] ?? 'darkgrey'} />
      ),
    },
    { id: 'error', header: t('schedules.runs.error', 'Error') },
  ];
  return (
    <Drawer title={t('schedules.runs.title', 'Runs of {{name}}', { name: schedule.name })} onClose={onClose} size="lg">
      <div data-testid={testIds.schedules.runsDrawer}>
        <Loadable
          state={state}
          loadingText={t('schedules.runs.loading', 'Loading runs...')}
          errorTitle={t('schedules.runs.load-error', 'Could not load the runs')}
          onRetry={reload}
        >
          {(data) =>
            (data.items ?? []).length === 0 ? (
              <Text color="secondary">{t('schedules.runs.empty', 'It has not run yet.')}</Text>
            ) : (
              <InteractiveTable
                columns={columns}
                data={data.items ?? []}
                getRowId={(r) => r.id}
                renderExpandedRow={(r) => <ActionResults results={r.results ?? []} />}
              />
            )
          }
        </Loadable>
      </div>
    </Drawer>
  );
}
