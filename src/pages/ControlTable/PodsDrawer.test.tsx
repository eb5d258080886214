import React from 'react';
import { screen, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import type { Pod, PodList } from '../../api/podTypes';
import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, controlRow, EDITOR, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import ControlTable from './ControlTable';
import { formatAge, podsTestIds as ids } from './PodsDrawer';

const user = userEventLib.setup({ delay: null });
const CONFIRM = 'data-testid Confirm Modal Danger Button';
const PATH = '/a/kubedoor-capacity-app/control?cluster=prod-a';

function pod(over: Partial<Pod> = {}): Pod {
  return {
    name: 'checkout-abc-1',
    node: 'node-1',
    phase: 'Running',
    ready: 1,
    containers: 1,
    restarts: 2,
    createdAt: '2026-11-21T00:00:00Z',
    ageSeconds: 3700,
    gracePeriodSeconds: 45,
    terminating: false,
    lastTerminationReason: 'OOMKilled',
    isolated: false,
    resources: [{ name: 'app', cpuRequestMillis: 350, cpuLimitMillis: null, memRequestMiB: 420, memLimitMiB: 2048 }],
    ...over,
  };
}

function list(over: Partial<PodList> = {}): PodList {
  return {
    cluster: 'prod-a',
    namespace: 'shop',
    kind: 'Deployment',
    workload: 'checkout',
    protected: false,
    isolationLabel: 'app',
    pods: [
      pod(),
      pod({
        name: 'checkout-abc-2',
        lastTerminationReason: '',
        gracePeriodSeconds: 30,
        isolated: true,
        isolatedAt: '2026-11-21T02:00:00Z',
        isolatedBy: 'ed',
      }),
    ],
    ...over,
  };
}

async function openPods() {
  await user.click(await screen.findByTestId(testIds.control.pods('shop', 'checkout')));
  return screen.findByTestId(ids.drawer);
}

describe('Pods drawer', () => {
  test("a Viewer sees the workload's pods, the isolated one marked, and no buttons", async () => {
    const api = fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      'GET clusters/prod-a/pods': ok(list()),
    });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    const drawer = await openPods();

    expect(await within(drawer).findByTestId(ids.row('checkout-abc-1'))).toBeInTheDocument();
    expect(within(drawer).getByTestId(ids.isolated('checkout-abc-2'))).toHaveTextContent('isolated');
    expect(within(drawer).queryByTestId(ids.isolated('checkout-abc-1'))).not.toBeInTheDocument();
    expect(within(drawer).getByText('OOMKilled')).toBeInTheDocument();
    expect(within(drawer).getByText('45s')).toBeInTheDocument();
    expect(within(drawer).getAllByText('app: CPU 350m / —, memory 420 MiB / 2 GiB')).toHaveLength(2);
    expect(within(drawer).queryByTestId(ids.isolate('checkout-abc-1'))).not.toBeInTheDocument();
    expect(within(drawer).queryByTestId(ids.remove('checkout-abc-1'))).not.toBeInTheDocument();
    expect(within(drawer).queryByTestId(ids.select('checkout-abc-1'))).not.toBeInTheDocument();
    expect(api.calls('GET clusters/prod-a/pods')[0].query.toString()).toBe('namespace=shop&workload=checkout');
  });

  test('an Editor isolates a pod after confirming, and the list is read again', async () => {
    const api = fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      'GET clusters/prod-a/pods': ok(list()),
      'POST clusters/prod-a/pods/isolate': ok({ pod: 'checkout-abc-1', ok: true }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    const drawer = await openPods();
    // An isolated pod cannot be isolated again, only deleted.
    expect(await within(drawer).findByTestId(ids.remove('checkout-abc-2'))).toBeInTheDocument();
    expect(within(drawer).queryByTestId(ids.isolate('checkout-abc-2'))).not.toBeInTheDocument();

    await user.click(within(drawer).getByTestId(ids.isolate('checkout-abc-1')));
    expect(screen.getByText(/Its label app becomes/)).toBeInTheDocument();
    expect(api.calls('POST clusters/prod-a/pods/isolate')).toHaveLength(0);
    await user.click(screen.getByTestId(CONFIRM));

    expect(await screen.findByTestId(ids.done)).toHaveTextContent('checkout-abc-1 isolated');
    expect(api.calls('POST clusters/prod-a/pods/isolate')[0].req.data).toEqual({
      namespace: 'shop',
      workload: 'checkout',
      pod: 'checkout-abc-1',
    });
    expect(api.calls('GET clusters/prod-a/pods').length).toBeGreaterThanOrEqual(2);
  });

  test('the delete confirmation shows the grace period, and a refusal is shown', async () => {
    const api = fakeApi({
      'GET control': ok({ items: [controlRow({ kind: 'StatefulSet', workload: 'checkout' })], total: 1 }),
      'GET clusters/prod-a/pods': ok(list({ kind: 'StatefulSet', isolationLabel: '', cannotIsolate: 'fixed names' })),
      'POST clusters/prod-a/pods/delete': fail(
        400,
        'pod checkout-abc-1 is not a pod of StatefulSet shop/StatefulSet/checkout',
        {
          field: 'pods[0]',
        }
      ),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(testIds.control.pods('shop', 'checkout', 'StatefulSet')));
    const drawer = await screen.findByTestId(ids.drawer);
    await within(drawer).findByTestId(ids.remove('checkout-abc-1'));
    // A StatefulSet's pods cannot be isolated (docs/pods.md): no Isolate button, the reason shown.
    expect(within(drawer).queryByTestId(ids.isolate('checkout-abc-1'))).not.toBeInTheDocument();
    expect(within(drawer).getByText('Isolation: fixed names')).toBeInTheDocument();

    await user.click(within(drawer).getByTestId(ids.remove('checkout-abc-1')));
    expect(screen.getByText(/get up to 45 seconds/)).toBeInTheDocument();
    await user.click(screen.getByTestId(CONFIRM));

    expect(await screen.findByTestId(ids.error)).toHaveTextContent('is not a pod of StatefulSet');
    expect(api.calls('POST clusters/prod-a/pods/delete')[0].req.data).toEqual({
      namespace: 'shop',
      kind: 'StatefulSet',
      workload: 'checkout',
      pods: ['checkout-abc-1'],
      intervalSeconds: 0,
    });
  });

  test('an Editor deletes several selected pods with a pause between them', async () => {
    const api = fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      'GET clusters/prod-a/pods': ok(list()),
      'POST clusters/prod-a/pods/delete': ok({
        results: [
          { pod: 'checkout-abc-1', ok: true },
          { pod: 'checkout-abc-2', ok: true },
        ],
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    const drawer = await openPods();
    await user.click(await within(drawer).findByTestId(ids.select('checkout-abc-1')));
    await user.click(within(drawer).getByTestId(ids.select('checkout-abc-2')));
    const interval = within(drawer).getByTestId(ids.interval);
    await user.clear(interval);
    await user.type(interval, '61');
    expect(within(drawer).getByTestId(ids.deleteSelected)).toBeDisabled();
    await user.clear(interval);
    await user.type(interval, '5');
    await user.click(within(drawer).getByTestId(ids.deleteSelected));

    // The longest grace period of the two, and the pause.
    expect(screen.getByText(/up to 45 seconds.*5 seconds apart/)).toBeInTheDocument();
    await user.click(screen.getByTestId(CONFIRM));
    expect(await screen.findByTestId(ids.done)).toHaveTextContent('checkout-abc-1, checkout-abc-2');
    expect(api.calls('POST clusters/prod-a/pods/delete')[0].req.data).toEqual({
      namespace: 'shop',
      workload: 'checkout',
      pods: ['checkout-abc-1', 'checkout-abc-2'],
      intervalSeconds: 5,
    });
  });

  test('pods of a protected namespace are listed without buttons, saying why', async () => {
    fakeApi({
      'GET control': ok({ items: [controlRow()], total: 1 }),
      'GET clusters/prod-a/pods': ok(list({ protected: true, protectedReason: 'kube-system is protected' })),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    const drawer = await openPods();
    expect(await within(drawer).findByText('kube-system is protected')).toBeInTheDocument();
    expect(within(drawer).queryByTestId(ids.remove('checkout-abc-1'))).not.toBeInTheDocument();
  });
});

describe('formatAge', () => {
  test.each([
    [42, '42s'],
    [600, '10m'],
    [3700, '1h 1m'],
    [200000, '2d 7h'],
  ])('%i seconds read %s', (s, want) => {
    expect(formatAge(s)).toBe(want);
  });
});
