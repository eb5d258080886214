import React from 'react';
import { screen, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, controlRow, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import ControlTable from './ControlTable';

const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/control?cluster=prod-a';
const ROW = 'control/prod-a/shop/checkout';
const ids = testIds.control;

const checkout = controlRow();
const cart = controlRow({
  workload: 'cart',
  version: 2,
  replicas: { manual: 5, recommended: -1, observed: 2, effective: 5, source: 'manual' },
});

function page(items = [checkout, cart]) {
  return ok({ items, total: items.length });
}

// The history drawer: versions, the published policy and the webhook's last decision.
describe('Control table history drawer', () => {
  test("a row's history says what each version changed", async () => {
    const v4 = controlRow();
    const v3 = controlRow({ version: 3, containers: [{ ...controlRow().containers![0], memLimitMiB: 1024 }] });
    fakeApi({ 'GET control': page(), [`GET ${ROW}/history`]: ok({ items: [v4, v3] }) });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.history('shop', 'checkout')));

    const drawer = await screen.findByTestId(ids.historyDrawer);
    expect(await within(drawer).findByText('app memory limit 1 GiB → 2 GiB')).toBeInTheDocument();
    expect(within(drawer).getByText('created')).toBeInTheDocument();
  });

  test("the history drawer shows the cluster's policy and the webhook's last decision", async () => {
    fakeApi({
      'GET control': page(),
      [`GET ${ROW}/history`]: ok({ items: [controlRow()] }),
      [`GET ${ROW}/policy`]: ok({
        namespace: 'shop',
        name: 'checkout',
        generation: 4,
        managed: true,
        spec: {
          cluster: 'prod-a',
          sourceVersion: 4,
          replicas: 3,
          containers: [{ name: 'app', cpuRequest: '500m', memoryLimit: '2Gi' }],
        },
        status: {
          observedGeneration: 4,
          publishedAt: '2026-11-22T09:00:00Z',
          lastDecision: {
            time: '2026-11-22T09:05:00Z',
            operation: 'UPDATE scale',
            result: 'patched',
            reason: 'policy: replicas 9 -> 3',
          },
        },
      }),
    });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.history('shop', 'checkout')));

    const policy = await screen.findByTestId(ids.policy);
    expect(await within(policy).findByText(/^Version 4 published .*; replicas 3$/)).toBeInTheDocument();
    expect(within(policy).getByText('app: 500m/– CPU, –/2Gi memory')).toBeInTheDocument();
    expect(within(policy).getByText('patched')).toBeInTheDocument();
    expect(within(policy).getByText(/UPDATE scale, .*: policy: replicas 9 -> 3/)).toBeInTheDocument();
  });

  test('a workload not published yet, and a cluster that cannot be read, say so in the drawer', async () => {
    fakeApi({ 'GET control': page(), [`GET ${ROW}/history`]: ok({ items: [controlRow()] }) });
    const first = renderPage(<ControlTable />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.history('shop', 'checkout')));
    expect(await screen.findByText(/No CapacityPolicy in the cluster yet/)).toBeInTheDocument();
    first.unmount();

    fakeApi({
      'GET control': page(),
      [`GET ${ROW}/history`]: ok({ items: [controlRow()] }),
      [`GET ${ROW}/policy`]: fail(503, 'cluster prod-a: connection refused'),
    });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.history('shop', 'checkout')));
    expect(await screen.findByText('cluster prod-a: connection refused')).toBeInTheDocument();
    expect(screen.getByText('Could not read the cluster')).toBeInTheDocument();
  });
});
