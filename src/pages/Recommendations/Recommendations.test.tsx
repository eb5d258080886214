import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, EDITOR, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import { recItem, report } from '../../testing/recommendFixtures';
import Recommendations from './Recommendations';

const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/recommendations?cluster=prod-a';
const ROUTE = 'GET clusters/prod-a/recommendations';
const ids = testIds.recommend;

describe('Recommendations page', () => {
  test('shows totals, namespaces and workloads with replicas, savings, score and risk', async () => {
    const api = fakeApi({ [ROUTE]: ok(report()) });
    renderPage(<Recommendations />, context(VIEWER), PATH);

    const totals = await screen.findByTestId(ids.totals);
    expect(within(totals).getByText('$400.00')).toBeInTheDocument();
    expect(within(totals).getByText('10 cores · 20 GiB')).toBeInTheDocument();
    expect(within(totals).getByText('saves $80.00 a month')).toBeInTheDocument();
    expect(within(totals).getByText('saves $150.00 a month')).toBeInTheDocument();
    expect(
      within(totals).getByText(/Replayed 2026-12-03 21:30:00; nothing it depends on has changed since\./)
    ).toBeInTheDocument();
    expect(within(screen.getByTestId(ids.namespaces)).getByText('$150.00')).toBeInTheDocument();

    const web = screen.getByTestId(ids.row('shop', 'web')).closest('tr')!;
    expect(within(web).getByText('12 → 12 → 8')).toBeInTheDocument();
    expect(within(web).getByText('$70.00')).toBeInTheDocument();
    expect(within(web).getByText('64')).toBeInTheDocument();
    expect(within(web).getByText('1 d near CPU limit')).toBeInTheDocument();
    expect(within(web).getByRole('link', { name: 'shop/web' })).toHaveAttribute(
      'href',
      '/a/kubedoor-capacity-app/control?cluster=prod-a&namespace=shop&q=web'
    );
    const apiRow = screen.getByTestId(ids.row('shop', 'api')).closest('tr')!;
    expect(within(apiRow).getByText('high')).toBeInTheDocument();
    expect(
      within(apiRow).getByText('5 d over request · 2 d near CPU limit · 1 d near memory limit · 3 OOM kills')
    ).toBeInTheDocument();
    // Viewers neither select nor accept.
    expect(screen.queryByTestId(ids.accept)).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.applyAdvice)).not.toBeInTheDocument();
    expect(Object.fromEntries(api.calls(ROUTE)[0].query)).toEqual({ sort: 'savings', limit: '200' });
  });

  test('another sort asks the backend again', async () => {
    const api = fakeApi({ [ROUTE]: ok(report()) });
    renderPage(<Recommendations />, context(VIEWER), PATH);
    await screen.findByTestId(ids.items);
    await user.click(screen.getByRole('radio', { name: 'Risk' }));
    await waitFor(() => expect(api.calls(ROUTE)).toHaveLength(2));
    expect(api.calls(ROUTE)[1].query.get('sort')).toBe('risk');
  });

  test('an Editor applies the scale-down advice in one batch', async () => {
    const api = fakeApi({
      [ROUTE]: ok(report()),
      'POST control/prod-a/recommendations/accept': ok({
        accepted: [{ namespace: 'shop', workload: 'web', version: 4, replicas: 8 }],
        refused: [],
      }),
    });
    renderPage(<Recommendations />, context(EDITOR), PATH);
    const advice = await screen.findByTestId(ids.advice);
    // Only workloads that scale down and save are advised.
    expect(within(advice).getByText('shop/web: 12 → 8 replicas, saves $70.00 a month')).toBeInTheDocument();
    expect(within(advice).queryByText(/shop\/api/)).not.toBeInTheDocument();
    await user.click(screen.getByTestId(ids.applyAdvice));
    expect(
      within(screen.getByTestId(testIds.accept.dialog)).getByText('shop/web: 12 → 8 replicas')
    ).toBeInTheDocument();
    await user.click(screen.getByTestId(testIds.accept.run));

    expect(await screen.findByText('1 accepted, 0 refused')).toBeInTheDocument();
    expect(api.calls('POST control/prod-a/recommendations/accept')[0].req.data).toEqual({
      rows: [{ namespace: 'shop', workload: 'web', version: 3 }],
    });
    await waitFor(() => expect(api.calls(ROUTE)).toHaveLength(2));
  });

  test('an Editor accepts the selected rows', async () => {
    const api = fakeApi({
      [ROUTE]: ok(report()),
      'POST control/prod-a/recommendations/accept': ok({
        accepted: [],
        refused: [{ namespace: 'shop', workload: 'api', code: 'none', reason: 'already at 4' }],
      }),
    });
    renderPage(<Recommendations />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.select('shop', 'api')));
    expect(screen.getByTestId(ids.accept)).toHaveTextContent('Accept recommendations (1)');
    await user.click(screen.getByTestId(ids.accept));
    await user.click(screen.getByTestId(testIds.accept.run));
    expect(await screen.findByText('shop/api (none): already at 4')).toBeInTheDocument();
    expect(api.calls('POST control/prod-a/recommendations/accept')[0].req.data).toEqual({
      rows: [{ namespace: 'shop', workload: 'api', version: 7 }],
    });
  });

  test('warnings and a truncated list are said', async () => {
    fakeApi({
      [ROUTE]: ok(
        report({
          total: 250,
          warnings: ['cluster prod-a could not be read: now is the last stored peak day'],
          replay: { from: 'refreshed', computedAt: '2026-12-03T21:31:00Z' },
        })
      ),
    });
    renderPage(<Recommendations />, context(VIEWER), PATH);
    expect(
      await screen.findByText('cluster prod-a could not be read: now is the last stored peak day')
    ).toBeInTheDocument();
    expect(screen.getByText('The first 2 of 250 workloads; narrow with a namespace.')).toBeInTheDocument();
    expect(screen.getByText(/Replayed 2026-12-03 21:31:00 for the rows edited since\./)).toBeInTheDocument();
  });

  test('without stored peak history the page says so', async () => {
    fakeApi({ [ROUTE]: ok(report({ items: [recItem({ historyDays: 0, score: null })] })) });
    renderPage(<Recommendations />, context(EDITOR), PATH);
    const box = await screen.findByTestId(ids.noHistory);
    expect(within(box).getByText('No stored peak history')).toBeInTheDocument();
    expect(screen.queryByTestId(ids.advice)).not.toBeInTheDocument();
  });

  test('an empty cluster and an error have their own states', async () => {
    fakeApi({ [ROUTE]: ok(report({ items: null, namespaces: null })) });
    const { unmount } = renderPage(<Recommendations />, context(VIEWER), PATH);
    expect(await screen.findByTestId(ids.empty)).toBeInTheDocument();
    unmount();

    fakeApi({ [ROUTE]: fail(503, 'cluster prod-a: connection refused') });
    renderPage(<Recommendations />, context(VIEWER), PATH);
    const err = await screen.findByTestId(testIds.common.error);
    expect(within(err).getByText('cluster prod-a: connection refused')).toBeInTheDocument();
  });
});
