import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import type { BacktestDay, BacktestResult } from '../../api/decideTypes';
import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, controlRow, EDITOR, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import ControlTable from './ControlTable';
import { proposalFromForm } from './backtestForm';
import { formFromRow } from './editForm';

const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/control?cluster=prod-a';
const ROW = 'control/prod-a/shop/checkout';
const ids = testIds.control;

function day(d: string, over: Partial<BacktestDay> = {}): BacktestDay {
  return {
    day: d,
    podsMax: 3,
    overRequest: false,
    throttleRisk: false,
    oomRisk: false,
    throttlingRatio: 0.02,
    oomKills: 0,
    headroom: 0.4,
    containers: [
      {
        name: 'app',
        cpu: 0.21,
        cpuRequest: 0.35,
        cpuLimit: 2,
        mem: 300 * 2 ** 20,
        memRequest: 420 * 2 ** 20,
        memLimit: 2 ** 31,
      },
    ],
    ...over,
  };
}

function result(over: Partial<BacktestResult> = {}): BacktestResult {
  return {
    proposal: { replicas: 3, containers: [] },
    days: 30,
    daysWithData: 2,
    overRequestDays: 1,
    throttleRiskDays: 0,
    oomRiskDays: 0,
    oomKillDays: 1,
    worst: { day: '2026-11-21', container: 'app', resource: 'cpu', usage: 0.42, request: 0.35, headroom: -0.2 },
    summary: 'with these values: 1 of 2 days over the request, 0 days within 10 % of the CPU limit',
    items: [
      day('2026-11-20'),
      day('2026-11-21', { overRequest: true, headroom: -0.2, oomKills: 2, throttlingRatio: 0.31 }),
    ],
    notes: ['CPU per pod is scaled to 3 replicas'],
    ...over,
  };
}

describe('Backtest', () => {
  test("the history drawer replays the row: summary, a bar per day and the day's risks", async () => {
    const api = fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      [`GET ${ROW}/history`]: ok({ items: [controlRow()] }),
      [`GET ${ROW}/policy`]: fail(404, 'not published'),
      [`POST ${ROW}/backtest`]: (req) => ok(result({ days: (req.data as { days: number }).days })),
    });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.history('shop', 'checkout')));

    const section = await screen.findByTestId(ids.backtest);
    expect(await within(section).findByTestId(ids.backtestSummary)).toHaveTextContent('1 of 2 days over the request');
    expect(within(section).getByTestId(ids.backtestChart).querySelectorAll('rect')).toHaveLength(2);
    const spike = within(section).getByText('2026-11-21').closest('tr')!;
    expect(within(spike).getByText('over request')).toBeInTheDocument();
    expect(within(spike).getByText('31%')).toBeInTheDocument();
    expect(within(spike).getByText('2')).toBeInTheDocument();
    expect(within(spike).getByText('-20%')).toBeInTheDocument();
    expect(api.calls(`POST ${ROW}/backtest`)[0].req.data).toEqual({ days: 30 });

    await user.click(within(section).getByRole('radio', { name: '400 days' }));
    await waitFor(() => expect(api.calls(`POST ${ROW}/backtest`)).toHaveLength(2));
    expect(api.calls(`POST ${ROW}/backtest`)[1].req.data).toEqual({ days: 400 });
  });

  test('a workload without history says so in the drawer', async () => {
    fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      [`GET ${ROW}/history`]: ok({ items: [controlRow()] }),
      [`GET ${ROW}/policy`]: fail(404, 'not published'),
      [`POST ${ROW}/backtest`]: ok(
        result({
          daysWithData: 0,
          items: [],
          worst: null,
          summary: 'no peak history in the last 30 days: nothing to replay',
        })
      ),
    });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.history('shop', 'checkout')));
    const section = await screen.findByTestId(ids.backtest);
    expect(
      await within(section).findByText('no peak history in the last 30 days: nothing to replay')
    ).toBeInTheDocument();
    expect(within(section).queryByTestId(ids.backtestChart)).not.toBeInTheDocument();
  });

  test('the edit dialog replays the typed values before saving, and hides the answer once they change', async () => {
    const api = fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      [`POST ${ROW}/backtest`]: ok(
        result({ summary: 'with these values: 0 of 30 days over the request, 2 days within 10 % of the CPU limit' })
      ),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));

    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '2');
    await user.click(screen.getByTestId(ids.backtestRun));

    expect(await screen.findByTestId(ids.backtestSummary)).toHaveTextContent(
      'with these values: 0 of 30 days over the request, 2 days within 10 % of the CPU limit'
    );
    expect(api.calls(`POST ${ROW}/backtest`)[0].req.data).toEqual({
      days: 30,
      proposed: {
        replicas: 2,
        containers: [
          { name: 'app', cpuRequestMillis: 350, cpuLimitMillis: 2000, memRequestMiB: 420, memLimitMiB: 2048 },
        ],
      },
    });
    expect(api.calls(`PUT ${ROW}`)).toHaveLength(0);

    await user.type(screen.getByTestId(ids.replicasManual), '0');
    expect(screen.queryByTestId(ids.backtestSummary)).not.toBeInTheDocument();
  });

  test("the backend's refusal of a proposal is shown in its words", async () => {
    fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      [`POST ${ROW}/backtest`]: fail(400, 'proposed.replicas: must be -1 or from 1 to 100000', {
        field: 'proposed.replicas',
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));
    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '0');
    await user.click(screen.getByTestId(ids.backtestRun));
    expect(await screen.findByTestId(ids.backtestSummary)).toHaveTextContent(
      'proposed.replicas: must be -1 or from 1 to 100000'
    );
  });
});

describe('proposalFromForm', () => {
  test('manual -1 falls back to what the row would enforce without it', () => {
    const row = controlRow({ replicas: { manual: 5, recommended: -1, observed: 3, effective: 5, source: 'manual' } });
    const form = { ...formFromRow(row), replicasManual: '-1' };
    expect(proposalFromForm(form, row)?.replicas).toBe(3);
  });

  test('a value handed back to the collection or left empty runs as stored', () => {
    const form = formFromRow(controlRow());
    form.containers[0] = { ...form.containers[0], cpuRequestMillis: '', reset: ['memLimitMiB'] };
    expect(proposalFromForm(form, controlRow())?.containers[0]).toEqual({
      name: 'app',
      cpuRequestMillis: -1,
      cpuLimitMillis: 2000,
      memRequestMiB: 420,
      memLimitMiB: -1,
    });
  });

  test('a value that does not parse gives no proposal', () => {
    const form = { ...formFromRow(controlRow()), replicasManual: 'two' };
    expect(proposalFromForm(form, controlRow())).toBeUndefined();
  });
});
