import React, { useState } from 'react';
import { t } from '../../i18n';
import { Badge, type CellProps, type Column, InteractiveTable, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import { backtestRow } from '../../api/decide';
import type { BacktestDay, BacktestResult } from '../../api/decideTypes';
import type { WorkloadRef } from '../../api/types';
import { Loadable } from '../../components/Loadable';
import { formatBytes, formatCores, formatRatio } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';

const DAY_CHOICES = [30, 90, 400];

/** The history drawer's backtest: the current row replayed against its stored peaks. */
export function BacktestSection({ target }: { target: WorkloadRef }) {
  const [days, setDays] = useState(30);
  const { state, reload } = useAsync(
    () => backtestRow(target, { days }),
    [target.cluster, target.namespace, target.workload, target.kind, days]
  );
  return (
    <div data-testid={testIds.control.backtest}>
      <Stack direction="row" alignItems="center" justifyContent="space-between">
        <Text element="h5">{t('control.backtest.title', 'Backtest of the current row')}</Text>
        <RadioButtonGroup<number>
          size="sm"
          options={DAY_CHOICES.map((d) => ({
            label: t('control.backtest.days', '{{days}} days', { days: d }),
            value: d,
          }))}
          value={days}
          onChange={setDays}
        />
      </Stack>
      <Loadable
        state={state}
        loadingText={t('control.backtest.loading', 'Replaying the peak history...')}
        errorTitle={t('control.backtest.error', 'Could not replay the history')}
        onRetry={reload}
      >
        {(r) => <BacktestView result={r} />}
      </Loadable>
    </div>
  );
}

function BacktestView({ result }: { result: BacktestResult }) {
  return (
    <Stack direction="column" gap={1}>
      <Text data-testid={testIds.control.backtestSummary}>{result.summary}</Text>
      {result.notes.map((n) => (
        <Text key={n} variant="bodySmall" color="secondary">
          {n}
        </Text>
      ))}
      {result.items.length > 0 && (
        <>
          <BacktestChart days={result.items} />
          <DaysTable days={result.items} />
        </>
      )}
    </Stack>
  );
}

const CHART_H = 80;

/**
 * One bar per day: the worst pod's use of its request (the day's 1 − headroom), capped at 200 %,
 * red when over the request, orange at a limit risk; the line marks 100 % of the request.
 */
export function BacktestChart({ days }: { days: BacktestDay[] }) {
  const w = 6;
  const used = (d: BacktestDay) => (d.headroom === null ? 0 : Math.min(2, Math.max(0, 1 - d.headroom)));
  return (
    <svg
      data-testid={testIds.control.backtestChart}
      width={Math.max(days.length * w, 100)}
      height={CHART_H}
      role="img"
      aria-label={t('control.backtest.chart', 'Use of the request per day')}
    >
      {days.map((d, i) => {
        const h = (used(d) / 2) * CHART_H;
        const color = d.overRequest ? '#e02f44' : d.throttleRisk || d.oomRisk ? '#ff9830' : '#56a64b';
        return (
          <rect key={d.day} x={i * w} y={CHART_H - h} width={w - 1} height={h} fill={color}>
            <title>{`${d.day}: ${Math.round(used(d) * 100)}%`}</title>
          </rect>
        );
      })}
      <line x1={0} x2={days.length * w} y1={CHART_H / 2} y2={CHART_H / 2} stroke="#8e8e8e" strokeDasharray="3 2" />
    </svg>
  );
}

function DaysTable({ days }: { days: BacktestDay[] }) {
  type Cell = CellProps<BacktestDay>;
  const columns: Array<Column<BacktestDay>> = [
    { id: 'day', header: t('control.backtest.day', 'Day') },
    { id: 'podsMax', header: t('control.backtest.pods', 'Pods') },
    {
      id: 'usage',
      header: t('control.backtest.usage', 'Worst pod (CPU · memory) / request'),
      cell: ({ row }: Cell) => (
        <Stack direction="column" gap={0}>
          {row.original.containers.map((c) => (
            <span key={c.name}>
              {`${c.name}: ${formatCores(c.cpu)}/${formatCores(c.cpuRequest)} · ${formatBytes(c.mem)}/${formatBytes(c.memRequest)}`}
            </span>
          ))}
        </Stack>
      ),
    },
    {
      id: 'flags',
      header: t('control.backtest.flags', 'Risk'),
      cell: ({ row }: Cell) => (
        <Stack direction="row" gap={0.5}>
          {row.original.overRequest && <Badge color="red" text={t('control.backtest.over', 'over request')} />}
          {row.original.throttleRisk && <Badge color="orange" text={t('control.backtest.throttle', 'CPU limit')} />}
          {row.original.oomRisk && <Badge color="orange" text={t('control.backtest.oom', 'memory limit')} />}
        </Stack>
      ),
    },
    {
      id: 'throttlingRatio',
      header: t('control.backtest.throttling', 'Throttling'),
      cell: ({ row }: Cell) => formatRatio(row.original.throttlingRatio),
    },
    { id: 'oomKills', header: t('control.backtest.oom-kills', 'OOM kills') },
    {
      id: 'headroom',
      header: t('control.backtest.headroom', 'Headroom'),
      cell: ({ row }: Cell) => (row.original.headroom === null ? '—' : `${Math.round(row.original.headroom * 100)}%`),
    },
  ];
  return <InteractiveTable columns={columns} data={[...days].reverse()} getRowId={(d) => d.day} pageSize={10} />;
}
