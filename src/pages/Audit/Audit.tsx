import React, { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { t } from '../../i18n';
import { PluginPage } from '@grafana/runtime';
import {
  Badge,
  type BadgeColor,
  type CellProps,
  type Column,
  Combobox,
  EmptyState,
  Field,
  InteractiveTable,
  Pagination,
  RadioButtonGroup,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';

import { listAudit } from '../../api/audit';
import type { AuditEntry, AuditResult } from '../../api/types';
import { useAppContext } from '../../components/AppContext';
import { CommitInput } from '../../components/CommitInput';
import { Loadable } from '../../components/Loadable';
import { formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';

const PAGE_SIZE = 50;

const RANGES = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, all: 0 } as const;
type RangeKey = keyof typeof RANGES;

const RESULT_COLOR: Record<AuditResult, BadgeColor> = {
  ok: 'green',
  denied: 'orange',
  failed: 'red',
  pending: 'blue',
  unknown: 'purple',
};

type Cell = CellProps<AuditEntry>;

interface Props {
  now?: () => number;
}

/** The audit log: who changed what, when, with what result; filterable and paged by the backend. */
function Audit({ now = Date.now }: Props) {
  const styles = useStyles2(getStyles);
  const { clusters } = useAppContext();
  const [params, setParams] = useSearchParams();
  const cluster = params.get('cluster') ?? '';
  const user = params.get('user') ?? '';
  const action = params.get('action') ?? '';
  const target = params.get('target') ?? '';
  const result = (params.get('result') ?? '') as AuditResult | '';
  const range: RangeKey = (params.get('range') as RangeKey) in RANGES ? (params.get('range') as RangeKey) : '7d';
  const [page, setPage] = useState(1);

  const set = (key: string, value: string) => {
    setPage(1);
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

  // The range start is fixed per filter change, not per render, so paging reads one window.
  const from = useMemo(
    () => (RANGES[range] ? new Date(now() - RANGES[range] * 3600_000).toISOString() : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [range, cluster, user, action, target, result]
  );
  const { state, reload } = useAsync(
    () => listAudit({ cluster, user, action, target, result, from, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    [cluster, user, action, target, result, from, page]
  );

  const columns = useMemo<Array<Column<AuditEntry>>>(
    () => [
      { id: 'at', header: t('audit.col.at', 'When'), cell: ({ row }: Cell) => formatTime(row.original.at) },
      {
        id: 'user',
        header: t('audit.col.user', 'Who'),
        cell: ({ row }: Cell) => `${row.original.user || '—'} (${row.original.role || '?'})`,
      },
      { id: 'action', header: t('audit.col.action', 'Action') },
      { id: 'cluster', header: t('audit.col.cluster', 'Cluster') },
      { id: 'target', header: t('audit.col.target', 'Target') },
      {
        id: 'result',
        header: t('audit.col.result', 'Result'),
        cell: ({ row }: Cell) => (
          <Badge text={row.original.result} color={RESULT_COLOR[row.original.result] ?? 'darkgrey'} />
        ),
      },
      {
        id: 'error',
        header: t('audit.col.errorNote', 'Error / note'),
        // A note marks an entry recorded after a crash from the stored version (docs/reliability.md).
        cell: ({ row }: Cell) =>
          row.original.error || !row.original.note ? (
            <Text color="error" truncate title={row.original.error}>
              {row.original.error}
            </Text>
          ) : (
            <Text color="secondary" truncate title={row.original.note}>
              {row.original.note}
            </Text>
          ),
      },
    ],
    []
  );

  return (
    <PluginPage>
      <div data-testid={testIds.audit.container}>
        <Stack direction="column" gap={2}>
          <Stack direction="row" wrap="wrap" alignItems="flex-end" gap={2}>
            <Field label={t('audit.filter.cluster', 'Cluster')} noMargin>
              <Combobox
                width={20}
                isClearable
                placeholder={t('audit.filter.all-clusters', 'All clusters')}
                options={clusters.map((c) => ({ label: c.name, value: c.name }))}
                value={cluster || null}
                onChange={(opt) => set('cluster', opt?.value ?? '')}
              />
            </Field>
            <CommitInput
              label={t('audit.filter.user', 'User')}
              testId={testIds.audit.user}
              value={user}
              onCommit={(v) => set('user', v)}
            />
            <CommitInput
              label={t('audit.filter.action', 'Action')}
              testId={testIds.audit.action}
              value={action}
              onCommit={(v) => set('action', v)}
            />
            <CommitInput
              label={t('audit.filter.target', 'Target starts with')}
              testId={testIds.audit.target}
              value={target}
              onCommit={(v) => set('target', v)}
            />
            <Field label={t('audit.filter.result', 'Result')} noMargin>
              <RadioButtonGroup
                data-testid={testIds.audit.result}
                options={[
                  { label: t('audit.result.all', 'All'), value: '' },
                  { label: t('audit.result.ok', 'OK'), value: 'ok' },
                  { label: t('audit.result.denied', 'Denied'), value: 'denied' },
                  { label: t('audit.result.failed', 'Failed'), value: 'failed' },
                  { label: t('audit.result.pending', 'Pending'), value: 'pending' },
                  { label: t('audit.result.unknown', 'Unknown'), value: 'unknown' },
                ]}
                value={result}
                onChange={(v) => set('result', v)}
              />
            </Field>
            <Field label={t('audit.filter.range', 'Period')} noMargin>
              <RadioButtonGroup<RangeKey>
                data-testid={testIds.audit.range}
                options={[
                  { label: t('audit.range.24h', '24 hours'), value: '24h' },
                  { label: t('audit.range.7d', '7 days'), value: '7d' },
                  { label: t('audit.range.30d', '30 days'), value: '30d' },
                  { label: t('audit.range.all', 'All'), value: 'all' },
                ]}
                value={range}
                onChange={(v) => set('range', v === '7d' ? '' : v)}
              />
            </Field>
          </Stack>
          <Loadable
            state={state}
            loadingText={t('audit.loading', 'Loading the audit log...')}
            errorTitle={t('audit.error', 'Could not load the audit log')}
            onRetry={reload}
          >
            {(data) => {
              const items = data.items ?? [];
              if (items.length === 0) {
                return (
                  <div data-testid={testIds.audit.empty}>
                    <EmptyState variant="not-found" message={t('audit.empty', 'Nothing recorded for these filters')} />
                  </div>
                );
              }
              const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
              return (
                <div data-testid={testIds.audit.table}>
                  <Stack direction="column" gap={1}>
                    <span data-testid={testIds.audit.total}>
                      <Text color="secondary" variant="bodySmall">
                        {t('audit.total', '{{total}} entries', { total: data.total })}
                      </Text>
                    </span>
                    <InteractiveTable
                      columns={columns}
                      data={items}
                      getRowId={(e) => e.id}
                      renderExpandedRow={(e) => (
                        <div className={styles.diff}>
                          <Change label={t('audit.before', 'Before')} value={e.before} />
                          <Change label={t('audit.after', 'After')} value={e.after} />
                        </div>
                      )}
                    />
                    {pages > 1 && <Pagination currentPage={page} numberOfPages={pages} onNavigate={setPage} />}
                  </Stack>
                </div>
              );
            }}
          </Loadable>
        </Stack>
      </div>
    </PluginPage>
  );
}

function Change({ label, value }: { label: string; value: unknown }) {
  const styles = useStyles2(getStyles);
  return (
    <div>
      <Text element="h6">{label}</Text>
      <pre className={styles.pre}>{value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  diff: css({ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: theme.spacing(2), padding: theme.spacing(1) }),
  pre: css({ maxHeight: 320, overflow: 'auto', fontSize: theme.typography.bodySmall.fontSize }),
});

export default Audit;
