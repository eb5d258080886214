import React, { useCallback, useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { t } from '../../i18n';
import {
  Alert,
  Button,
  type CellProps,
  type Column,
  Field,
  FieldSet,
  Input,
  InteractiveTable,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';

import { toApiError } from '../../api/client';
import { cancelCollection, getCollection, listCollections, startCollection } from '../../api/collections';
import type { Job } from '../../api/types';
import { Loadable } from '../../components/Loadable';
import { JobStateBadge } from '../../components/StatusBadge';
import { formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { KeptDays } from './KeptDays';

const DEFAULT_DAYS = '10';
const MAX_DAYS = 400;

interface Props {
  cluster: string;
  canWrite: boolean;
  /** How often a running job is polled (ms); tests shorten it. */
  pollMs?: number;
}

const active = (j: Job) => j.state === 'queued' || j.state === 'running';

/** Backfill N past days with a progress bar; recent jobs of the cluster. */
export function CollectionSection({ cluster, canWrite, pollMs = 2000 }: Props) {
  const [days, setDays] = useState(DEFAULT_DAYS);
  const [startedJob, setJob] = useState<Job>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const recent = useAsync(() => listCollections({ cluster, limit: 10 }), [cluster]);

  // Follow a job that is already running (started elsewhere, or before a reload) too.
  const job = startedJob ?? (recent.state.kind === 'ready' ? (recent.state.data.items ?? []).find(active) : undefined);

  const reloadRecent = recent.reload;
  const jobId = job?.id;
  const jobActive = job ? active(job) : false;
  // Poll the job while it runs; an error while polling is shown but polling goes on.
  useEffect(() => {
    if (!jobId || !jobActive) {
      return;
    }
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const next = await getCollection(jobId);
        if (!stopped) {
          setJob(next);
          if (!active(next)) {
            reloadRecent();
          }
        }
      } catch (err) {
        if (!stopped) {
          setError(
            t('clusters.collect.poll-error', 'Could not read the job: {{error}}', { error: toApiError(err).message })
          );
        }
      }
    }, pollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [jobId, jobActive, pollMs, reloadRecent]);

  const n = /^\d+$/.test(days.trim()) ? Number(days.trim()) : NaN;
  const daysInvalid = !(n >= 1 && n <= MAX_DAYS);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setJob(await startCollection(cluster, { days: n }));
      reloadRecent();
    } catch (err) {
      const e = toApiError(err);
      // One job per cluster: a 409 carries the job already running, which is then followed.
      const running = e.current<Job>();
      if (running) {
        setJob(running);
      }
      setError(e.message);
    }
    setBusy(false);
  };

  const cancel = useCallback(async () => {
    if (!jobId) {
      return;
    }
    setError(undefined);
    try {
      setJob(await cancelCollection(jobId));
    } catch (err) {
      setError(toApiError(err).message);
    }
  }, [jobId]);

  return (
    <FieldSet label={t('clusters.collect.title', 'Collection')}>
      {canWrite && (
        <Stack direction="row" alignItems="flex-end" gap={1}>
          <Field
            label={t('clusters.collect.days', 'Past days to collect')}
            description={t('clusters.collect.days-help', '1 to {{max}}; days already collected are collected again', {
              max: MAX_DAYS,
            })}
            invalid={daysInvalid}
            error={
              daysInvalid
                ? t('clusters.collect.days-error', 'A whole number from 1 to {{max}}', { max: MAX_DAYS })
                : undefined
            }
          >
            <Input
              width={12}
              data-testid={testIds.clusters.backfillDays}
              value={days}
              onChange={(e) => setDays(e.currentTarget.value)}
            />
          </Field>
          <Field label="">
            <Button
              icon="cloud-download"
              data-testid={testIds.clusters.backfill}
              disabled={daysInvalid || busy || jobActive}
              onClick={start}
            >
              {t('clusters.collect.start', 'Collect')}
            </Button>
          </Field>
        </Stack>
      )}
      {error && (
        <div data-testid={testIds.clusters.jobError}>
          <Alert
            severity="error"
            title={t('clusters.collect.failed', 'Collection problem')}
            onRemove={() => setError(undefined)}
          >
            {error}
          </Alert>
        </div>
      )}
      {job && <JobProgress job={job} canWrite={canWrite} onCancel={cancel} />}
      <Text element="h5">{t('clusters.collect.recent', 'Recent collections')}</Text>
      <Loadable
        state={recent.state}
        loadingText={t('clusters.collect.loading', 'Loading collections...')}
        errorTitle={t('clusters.collect.list-error', 'Could not list the collections')}
        onRetry={recent.reload}
      >
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <Text color="secondary">{t('clusters.collect.none', 'No collection has run for this cluster yet.')}</Text>
          ) : (
            <div data-testid={testIds.clusters.jobs}>
              <InteractiveTable
                columns={jobColumns()}
                data={data.items ?? []}
                getRowId={(j) => j.id}
                renderExpandedRow={(j) =>
                  (j.kept ?? []).length + (j.unavailable ?? []).length > 0 ? (
                    <KeptDays job={j} />
                  ) : (
                    <Text color="secondary">
                      {t('clusters.collect.nothing-kept', 'Every collected day replaced its stored rows.')}
                    </Text>
                  )
                }
              />
            </div>
          )
        }
      </Loadable>
    </FieldSet>
  );
}

function JobProgress({ job, canWrite, onCancel }: { job: Job; canWrite: boolean; onCancel: () => void }) {
  const styles = useStyles2(getStyles);
  const pct = job.daysTotal > 0 ? Math.round((100 * job.daysDone) / job.daysTotal) : 0;
  return (
    <div data-testid={testIds.clusters.job} className={styles.job}>
      <Stack direction="row" alignItems="center" gap={1}>
        <JobStateBadge state={job.state} />
        <Text>
          {t(
            'clusters.collect.progress',
            '{{done}} of {{total}} days ({{first}} to {{last}}), {{workloads}} workloads',
            {
              done: job.daysDone,
              total: job.daysTotal,
              first: job.firstDay,
              last: job.lastDay,
              workloads: job.workloads,
            }
          )}
        </Text>
        {canWrite && active(job) && (
          <Button
            size="sm"
            variant="destructive"
            fill="outline"
            data-testid={testIds.clusters.jobCancel}
            onClick={onCancel}
          >
            {t('clusters.collect.cancel', 'Cancel')}
          </Button>
        )}
      </Stack>
      <div
        className={styles.track}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid={testIds.clusters.jobProgress}
      >
        <div className={styles.bar(job.state === 'failed')} style={{ width: `${pct}%` }} />
      </div>
      {job.errorCount > 0 && (
        <Alert severity="warning" title={t('clusters.collect.errors', '{{count}} errors', { count: job.errorCount })}>
          <ul>
            {(job.errors ?? []).map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </Alert>
      )}
      <KeptDays job={job} />
    </div>
  );
}

type Cell = CellProps<Job>;

function jobColumns(): Array<Column<Job>> {
  return [
    {
      id: 'startedAt',
      header: t('clusters.collect.col.started', 'Started'),
      cell: ({ row }: Cell) => formatTime(row.original.startedAt),
    },
    { id: 'kind', header: t('clusters.collect.col.kind', 'Kind') },
    {
      id: 'state',
      header: t('clusters.collect.col.state', 'State'),
      cell: ({ row }: Cell) => <JobStateBadge state={row.original.state} />,
    },
    {
      id: 'days',
      header: t('clusters.collect.col.days', 'Days'),
      cell: ({ row }: Cell) =>
        `${row.original.firstDay} – ${row.original.lastDay} (${row.original.daysDone}/${row.original.daysTotal})`,
    },
    { id: 'workloads', header: t('clusters.collect.col.workloads', 'Workloads') },
    {
      id: 'kept',
      header: t('clusters.collect.col.kept', 'Days kept'),
      cell: ({ row }: Cell) => (row.original.kept ?? []).length,
    },
    { id: 'errorCount', header: t('clusters.collect.col.errors', 'Errors') },
    { id: 'startedBy', header: t('clusters.collect.col.by', 'By') },
  ];
}

const getStyles = (theme: GrafanaTheme2) => ({
  job: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), marginBottom: theme.spacing(2) }),
  track: css({
    height: theme.spacing(1),
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.pill,
    overflow: 'hidden',
  }),
  bar: (failed: boolean) =>
    css({
      height: '100%',
      background: failed ? theme.colors.error.main : theme.colors.primary.main,
      transition: 'width 0.3s ease',
    }),
});
