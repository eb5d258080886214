import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { t } from '../../i18n';
import { Badge, Card, Icon, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { listAudit } from '../../api/audit';
import { getClusterHealth } from '../../api/clusters';
import { listControl } from '../../api/control';
import { listNamespaces } from '../../api/enforcement';
import type { ClusterHealth, NamespaceItem } from '../../api/types';
import { Loadable } from '../../components/Loadable';
import { JobStateBadge, StatusBadge } from '../../components/StatusBadge';
import { formatAgo, formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { dayInZone, startOfDay } from '../../components/zonedTime';
import { ROUTES, pageUrl } from '../../constants';
import type { ClusterConnection } from '../../types';
import { TroubleshootingLink } from './TroubleshootingLink';

const RECENT_CHANGES = 5;

interface Props {
  cluster: ClusterConnection;
  /** Injected clock for tests. */
  now?: () => number;
}

/** One cluster at a glance: enforcement, controlled workloads, today's changes, collection, webhook. */
export function ClusterOverview({ cluster, now = Date.now }: Props) {
  const styles = useStyles2(getStyles);
  const name = cluster.name;
  const zone = cluster.timeZone || 'UTC';

  const health = useAsync(() => getClusterHealth(name), [name]);
  const namespaces = useAsync(() => listNamespaces(name), [name]);
  const controlled = useAsync(() => listControl({ cluster: name, limit: 1 }), [name]);
  const today = dayInZone(now(), zone);
  const changes = useAsync(
    () => listAudit({ cluster: name, from: startOfDay(today, zone).toISOString(), limit: RECENT_CHANGES }),
    [name, today, zone]
  );

  return (
    <div data-testid={testIds.overview.cluster(name)}>
      <Card noMargin>
        <Card.Heading>{name}</Card.Heading>
        <Card.Meta>{[<span key="tz">{t('overview.cluster.zone', 'Time zone {{zone}}', { zone })}</span>]}</Card.Meta>
        <Card.Description>
          <div className={styles.grid}>
            <section data-testid={testIds.overview.enforcement}>
              <Text element="h5">{t('overview.enforcement.title', 'Enforcement')}</Text>
              <Loadable
                state={namespaces.state}
                loadingText={t('overview.loading', 'Loading...')}
                errorTitle={t('overview.enforcement.error', 'Could not read the namespaces')}
                onRetry={namespaces.reload}
              >
                {(data) => <EnforcementSummary items={data.items ?? []} cluster={name} />}
              </Loadable>
            </section>

            <section data-testid={testIds.overview.controlled}>
              <Text element="h5">{t('overview.controlled.title', 'Workloads controlled')}</Text>
              <Loadable
                state={controlled.state}
                loadingText={t('overview.loading', 'Loading...')}
                errorTitle={t('overview.controlled.error', 'Could not read the control table')}
                onRetry={controlled.reload}
              >
                {(data) => (
                  <Stack direction="column" gap={0.5}>
                    <Text variant="h3">{String(data.total)}</Text>
                    <TextLink href={pageUrl(ROUTES.Control, { cluster: name })} inline={false}>
                      {t('overview.controlled.open', 'Open the control table')}
                    </TextLink>
                  </Stack>
                )}
              </Loadable>
            </section>

            <section data-testid={testIds.overview.changes}>
              <Text element="h5">{t('overview.changes.title', "Today's changes ({{day}})", { day: today })}</Text>
              <Loadable
                state={changes.state}
                loadingText={t('overview.loading', 'Loading...')}
                errorTitle={t('overview.changes.error', 'Could not read the audit log')}
                onRetry={changes.reload}
              >
                {(data) => (
                  <Stack direction="column" gap={0.5}>
                    <Text variant="h3">{String(data.total)}</Text>
                    {(data.items ?? []).map((e) => (
                      <Text key={e.id} variant="bodySmall" color={e.result === 'ok' ? 'secondary' : 'warning'}>
                        {`${formatTime(e.at).slice(11, 16)} ${e.user} ${e.action} ${e.target}${e.result === 'ok' ? '' : ` (${e.result})`}`}
                      </Text>
                    ))}
                    <TextLink href={pageUrl(ROUTES.Audit, { cluster: name })} inline={false}>
                      {t('overview.changes.open', 'Open the audit log')}
                    </TextLink>
                  </Stack>
                )}
              </Loadable>
            </section>

            <section data-testid={testIds.overview.collection}>
              <Text element="h5">{t('overview.collection.title', 'Last collection')}</Text>
              <Loadable
                state={health.state}
                loadingText={t('overview.loading', 'Loading...')}
                errorTitle={t('overview.health.error', 'Could not read the cluster health')}
                onRetry={health.reload}
              >
                {(data) => <CollectionSummary health={data} cluster={name} />}
              </Loadable>
            </section>

            <section data-testid={testIds.overview.webhook}>
              <Text element="h5">{t('overview.webhook.title', 'Webhook and connections')}</Text>
              <Loadable
                state={health.state}
                loadingText={t('overview.loading', 'Loading...')}
                errorTitle={t('overview.health.error', 'Could not read the cluster health')}
                onRetry={health.reload}
              >
                {(data) => <HealthSummary health={data} />}
              </Loadable>
            </section>
          </div>
        </Card.Description>
      </Card>
    </div>
  );
}

function EnforcementSummary({ items, cluster }: { items: NamespaceItem[]; cluster: string }) {
  const enforced = items.filter((n) => n.control === 'enforce');
  const observed = items.filter((n) => n.control === 'observe');
  const off = items.length - enforced.length - observed.length;
  return (
    <Stack direction="column" gap={0.5}>
      <Text>
        {t('overview.enforcement.counts', '{{enforced}} enforced, {{observed}} observed, {{off}} off', {
          enforced: enforced.length,
          observed: observed.length,
          off,
        })}
      </Text>
      <Stack direction="row" wrap="wrap" gap={0.5}>
        {enforced.map((n) => (
          <Badge key={n.name} text={n.name} color="green" icon="lock" />
        ))}
        {observed.map((n) => (
          <Badge key={n.name} text={n.name} color="blue" icon="eye" />
        ))}
      </Stack>
      <TextLink href={pageUrl(ROUTES.Clusters, { cluster })} inline={false}>
        {t('overview.enforcement.open', 'Namespaces and settings')}
      </TextLink>
      <TroubleshootingLink section="denied" />
    </Stack>
  );
}

function CollectionSummary({ health, cluster }: { health: ClusterHealth; cluster: string }) {
  const job = health.lastCollection;
  if (!job) {
    return (
      <Stack direction="column" gap={0.5}>
        <Text color="secondary">{t('overview.collection.never', 'Nothing collected yet')}</Text>
        <TextLink href={pageUrl(ROUTES.Clusters, { cluster })} inline={false}>
          {t('overview.collection.backfill', 'Collect past days')}
        </TextLink>
      </Stack>
    );
  }
  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" alignItems="center" gap={1}>
        <JobStateBadge state={job.state} />
        <Text variant="bodySmall" color="secondary">
          {formatAgo(job.finishedAt ?? job.startedAt)}
        </Text>
      </Stack>
      <Text variant="bodySmall">
        {t('overview.collection.days', '{{first}} to {{last}}: {{done}}/{{total}} days, {{workloads}} workloads', {
          first: job.firstDay,
          last: job.lastDay,
          done: job.daysDone,
          total: job.daysTotal,
          workloads: job.workloads,
        })}
      </Text>
      {(job.kept ?? []).length > 0 && (
        <Text variant="bodySmall" color="warning">
          {t('overview.collection.kept', 'Days whose stored rows were kept: {{count}} ({{first}})', {
            count: (job.kept ?? []).length,
            first: `${(job.kept ?? [])[0].day}: ${(job.kept ?? [])[0].reason}`,
          })}
        </Text>
      )}
      {job.errorCount > 0 && (
        <Text variant="bodySmall" color="error">
          {t('overview.collection.errors', '{{count}} errors: {{first}}', {
            count: job.errorCount,
            first: (job.errors ?? [])[0] ?? '',
          })}
        </Text>
      )}
    </Stack>
  );
}

function HealthSummary({ health }: { health: ClusterHealth }) {
  const wh = health.webhook;
  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" alignItems="center" gap={1}>
        <Text>{t('overview.webhook.label', 'Webhook')}</Text>
        {!wh.installed ? (
          <Badge text={t('overview.webhook.absent', 'Not installed')} color="orange" icon="info-circle" />
        ) : (
          <StatusBadge ok={wh.ready} />
        )}
      </Stack>
      {wh.message && (
        <Text variant="bodySmall" color="secondary">
          {wh.message}
        </Text>
      )}
      {(!wh.installed || !wh.ready) && <TroubleshootingLink section="webhook" />}
      <Stack direction="row" alignItems="center" gap={1}>
        <Text>{t('overview.kubernetes.label', 'Kubernetes')}</Text>
        <StatusBadge ok={health.kubernetes.ok} />
        {health.kubernetes.version && (
          <Text variant="bodySmall" color="secondary">
            {health.kubernetes.version}
          </Text>
        )}
      </Stack>
      {!health.kubernetes.ok && health.kubernetes.message && (
        <Text variant="bodySmall" color="error">
          <Icon name="exclamation-triangle" /> {health.kubernetes.message}
        </Text>
      )}
      <Stack direction="row" alignItems="center" gap={1}>
        <Text>{t('overview.prometheus.label', 'Prometheus')}</Text>
        <StatusBadge ok={health.prometheus.ok} />
      </Stack>
      {!health.prometheus.ok && health.prometheus.message && (
        <Text variant="bodySmall" color="error">
          {health.prometheus.message}
        </Text>
      )}
      <PublishSummary status={health.lastPublish} />
      <SchedulesSummary status={health.schedules} />
    </Stack>
  );
}

/** Who runs the cluster's schedules; a blocked lease is said loudly, with what to do. */
function SchedulesSummary({ status }: { status: ClusterHealth['schedules'] }) {
  if (!status || status.state === 'none') {
    return null;
  }
  const text: Record<Exclude<typeof status.state, 'none' | 'blocked'>, string> = {
    held: t('overview.schedules.held', 'run by this backend'),
    elsewhere: t('overview.schedules.elsewhere', 'run by another backend ({{holder}})', {
      holder: status.holder ?? '',
    }),
    waiting: t('overview.schedules.waiting', 'waiting for the schedule lease'),
    local: t('overview.schedules.local', 'collections only (no Kubernetes access)'),
  };
  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" alignItems="center" gap={1}>
        <Text>{t('overview.schedules.label', 'Schedules')}</Text>
        <StatusBadge ok={status.state !== 'blocked'} />
        {status.state !== 'blocked' && (
          <Text variant="bodySmall" color="secondary">
            {text[status.state]}
          </Text>
        )}
      </Stack>
      {status.state === 'blocked' && (
        <Text variant="bodySmall" color="error">
          <Icon name="exclamation-triangle" />{' '}
          {t('overview.schedules.blocked', 'Scale and restart schedules cannot run: {{reason}}', {
            reason: status.reason ?? '',
          })}
        </Text>
      )}
      {status.state === 'blocked' && <TroubleshootingLink section="schedules" />}
    </Stack>
  );
}

/** The last reconcile of the cluster's CapacityPolicies: what it wrote, or why it could not. */
function PublishSummary({ status }: { status: ClusterHealth['lastPublish'] }) {
  if (!status) {
    return (
      <Stack direction="column" gap={0.5}>
        <Text variant="bodySmall" color="secondary">
          {t('overview.publish.never', 'Policies not published by this backend yet')}
        </Text>
        <TroubleshootingLink section="policy" />
      </Stack>
    );
  }
  const r = status.result;
  const held = r.held ?? 0;
  const ok = !status.error && r.failed === 0 && held === 0;
  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" alignItems="center" gap={1}>
        <Text>{t('overview.publish.label', 'Policies')}</Text>
        <StatusBadge ok={ok} />
        <Text variant="bodySmall" color="secondary">
          {formatAgo(status.at)}
        </Text>
      </Stack>
      {status.error ? (
        <Text variant="bodySmall" color="error">
          {status.error}
        </Text>
      ) : (
        <Text variant="bodySmall" color="secondary">
          {t(
            'overview.publish.counts',
            '{{created}} created, {{updated}} updated, {{deleted}} deleted, {{unchanged}} unchanged, {{failed}} failed',
            { created: r.created, updated: r.updated, deleted: r.deleted, unchanged: r.unchanged, failed: r.failed }
          )}
        </Text>
      )}
      {held > 0 && (
        <Text variant="bodySmall" color="warning">
          <Icon name="exclamation-triangle" />{' '}
          {t('overview.publish.held', '{{count}} deletions held: {{reason}}', {
            count: held,
            reason: r.heldReason ?? '',
          })}
        </Text>
      )}
      {!ok && <TroubleshootingLink section="policy" />}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
    gap: theme.spacing(3),
    marginTop: theme.spacing(1),
  }),
});
