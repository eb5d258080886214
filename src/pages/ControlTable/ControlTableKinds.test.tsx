import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fakeApi, ok } from '../../testing/fakeApi';
import { context, controlRow, EDITOR, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import ControlTable from './ControlTable';

// StatefulSets and DaemonSets in the control table. Kinds are absent from older
// backends' rows (Deployments); DaemonSet rows carry no replicas.
const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/control?cluster=prod-a';
const ids = testIds.control;

const deploy = controlRow();
const sts = controlRow({
  kind: 'StatefulSet',
  version: 7,
  replicas: { manual: 3, recommended: -1, observed: 3, effective: 3, source: 'manual' },
});
const ds = controlRow({ kind: 'DaemonSet', workload: 'node-agent', version: 2, replicas: undefined });

const page = (items = [deploy, sts, ds]) => ok({ items, total: items.length });
const rowOf = (wl: string, kind?: string) => screen.getByTestId(ids.row('shop', wl, kind)).closest('tr')!;

describe('Control table page with workload kinds', () => {
  test('shows each kind as a badge, a row without kind as a Deployment, and a DaemonSet with no replicas', async () => {
    fakeApi({ 'GET control': page() });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await screen.findByTestId(ids.table);

    // A Deployment and a StatefulSet of the same name are two rows.
    expect(within(rowOf('checkout')).getByText('Deploy')).toBeInTheDocument();
    expect(within(rowOf('checkout', 'StatefulSet')).getByText('STS')).toBeInTheDocument();
    const dsRow = rowOf('node-agent', 'DaemonSet');
    expect(within(dsRow).getByText('DS')).toBeInTheDocument();
    expect(within(dsRow).getAllByTestId(testIds.kind.notApplicable)).toHaveLength(2);
    expect(within(dsRow).getAllByText('—')).toHaveLength(2);
    expect(within(rowOf('checkout', 'StatefulSet')).getByText('manual')).toBeInTheDocument();
  });

  test('the kind filter asks the backend for that kind and hides other kinds an older backend still sends', async () => {
    const api = fakeApi({ 'GET control': page([deploy, sts]) });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await screen.findByTestId(ids.table);

    await user.click(within(screen.getByTestId(testIds.kind.filter)).getByRole('radio', { name: 'StatefulSet' }));

    await waitFor(() => expect(api.calls('GET control').some((c) => c.query.get('kind') === 'StatefulSet')).toBe(true));
    await waitFor(() => expect(screen.queryByTestId(ids.row('shop', 'checkout'))).not.toBeInTheDocument());
    expect(screen.getByTestId(ids.row('shop', 'checkout', 'StatefulSet'))).toBeInTheDocument();
    expect(screen.getByText('1 workloads')).toBeInTheDocument();
  });

  test('a kind in the URL filters from the start; "All" sends no kind', async () => {
    const api = fakeApi({ 'GET control': page([deploy, sts, ds]) });
    renderPage(<ControlTable />, context(VIEWER), `${PATH}&kind=DaemonSet`);
    await screen.findByTestId(ids.row('shop', 'node-agent', 'DaemonSet'));
    expect(screen.queryByTestId(ids.row('shop', 'checkout'))).not.toBeInTheDocument();
    expect(api.calls('GET control')[0].query.get('kind')).toBe('DaemonSet');

    await user.click(within(screen.getByTestId(testIds.kind.filter)).getByRole('radio', { name: 'All' }));
    await screen.findByTestId(ids.row('shop', 'checkout'));
    expect(api.calls('GET control').at(-1)!.query.has('kind')).toBe(false);
  });

  test("a DaemonSet's dialog names its kind, has no replicas field and no scale, and restarts it by kind", async () => {
    const api = fakeApi({
      'GET control': page(),
      'POST actions/restart': ok({
        results: [{ cluster: 'prod-a', namespace: 'shop', workload: 'node-agent', kind: 'DaemonSet', ok: true }],
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'node-agent', 'DaemonSet')));

    const dialog = await screen.findByTestId(ids.dialog);
    expect(screen.getByText('Edit DaemonSet shop/node-agent')).toBeInTheDocument();
    expect(within(dialog).queryByTestId(ids.replicasManual)).not.toBeInTheDocument();
    expect(within(dialog).getByText('Not applicable (DaemonSet): one pod per node.')).toBeInTheDocument();
    expect(screen.queryByTestId(ids.saveScale)).not.toBeInTheDocument();

    await user.click(screen.getByTestId(ids.saveRestart));
    await waitFor(() => expect(api.calls('POST actions/restart')).toHaveLength(1));
    expect(api.calls('POST actions/restart')[0].req.data).toStrictEqual({
      items: [{ cluster: 'prod-a', namespace: 'shop', workload: 'node-agent', kind: 'DaemonSet' }],
      intervalSeconds: 0,
    });
  });

  test("a StatefulSet's save and history go to its row with ?kind=StatefulSet; a Deployment's without kind", async () => {
    const api = fakeApi({
      'GET control': page(),
      'PUT control/prod-a/shop/checkout': (req) => ok({ ...(req.url.includes('kind=') ? sts : deploy), version: 9 }),
      'GET control/prod-a/shop/checkout/history': ok({ items: [sts] }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout', 'StatefulSet')));
    expect(await screen.findByText('Edit StatefulSet shop/checkout')).toBeInTheDocument();
    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '4');
    await user.click(screen.getByTestId(ids.save));
    await waitFor(() => expect(api.calls('PUT control/prod-a/shop/checkout')).toHaveLength(1));
    const [put] = api.calls('PUT control/prod-a/shop/checkout');
    expect(put.query.get('kind')).toBe('StatefulSet');
    expect(put.req.data).toEqual({ expectedVersion: 7, replicasManual: 4 });

    await user.click(screen.getByTestId(ids.history('shop', 'checkout', 'StatefulSet')));
    await screen.findByTestId(ids.historyDrawer);
    expect(screen.getByText('History of StatefulSet shop/checkout')).toBeInTheDocument();
    await waitFor(() => expect(api.calls('GET control/prod-a/shop/checkout/history')).toHaveLength(1));
    expect(api.calls('GET control/prod-a/shop/checkout/history')[0].query.get('kind')).toBe('StatefulSet');

    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));
    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '5');
    await user.click(screen.getByTestId(ids.save));
    await waitFor(() => expect(api.calls('PUT control/prod-a/shop/checkout')).toHaveLength(2));
    expect(api.calls('PUT control/prod-a/shop/checkout')[1].query.has('kind')).toBe(false);
  });

  test('a batch scale leaves DaemonSets out and says so; a batch restart includes them', async () => {
    const api = fakeApi({
      'GET control': page(),
      'POST actions/scale': ok({ results: [{ cluster: 'prod-a', namespace: 'shop', workload: 'checkout', ok: true }] }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.select('shop', 'checkout')));
    await user.click(screen.getByTestId(ids.select('shop', 'node-agent', 'DaemonSet')));

    expect(screen.getByTestId(ids.batchScale)).toHaveTextContent('Scale selected (1)');
    expect(screen.getByTestId(ids.batchRestart)).toHaveTextContent('Restart selected (2)');

    await user.click(screen.getByTestId(ids.batchScale));
    const dialog = screen.getByTestId(ids.batchDialog);
    expect(within(dialog).getByText('1 DaemonSets left out: they have no replicas')).toBeInTheDocument();
    expect(within(dialog).getByText('shop/checkout')).toBeInTheDocument();
    await user.click(screen.getByTestId(ids.batchRun));
    await waitFor(() => expect(api.calls('POST actions/scale')).toHaveLength(1));
    expect(api.calls('POST actions/scale')[0].req.data).toStrictEqual({
      items: [{ cluster: 'prod-a', namespace: 'shop', workload: 'checkout', replicas: 3 }],
      temporary: false,
      intervalSeconds: 0,
    });
  });

  test('only DaemonSets selected: scale is disabled, restart is offered', async () => {
    fakeApi({ 'GET control': page() });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.select('shop', 'node-agent', 'DaemonSet')));
    // A disabled button with a tooltip is aria-disabled (so the tooltip still shows) and does nothing.
    expect(screen.getByTestId(ids.batchScale)).toHaveAttribute('aria-disabled', 'true');
    await user.click(screen.getByTestId(ids.batchScale));
    expect(screen.queryByTestId(ids.batchDialog)).not.toBeInTheDocument();
    expect(screen.getByTestId(ids.batchRestart)).toBeEnabled();
    await user.click(screen.getByTestId(ids.batchRestart));
    expect(within(screen.getByTestId(ids.batchDialog)).getByText('shop/DaemonSet/node-agent')).toBeInTheDocument();
  });

  test('adding a DaemonSet posts its kind and no replicas', async () => {
    const api = fakeApi({ 'GET control': page([deploy]), 'POST control': ok(ds) });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.add));
    await user.click(within(screen.getByTestId(ids.addKind)).getByRole('radio', { name: 'DaemonSet' }));
    expect(screen.queryByTestId(ids.replicasManual)).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Namespace'), 'shop');
    await user.type(screen.getByLabelText('DaemonSet name'), 'node-agent');
    for (const key of ['cpuRequestMillis', 'cpuLimitMillis', 'memRequestMiB', 'memLimitMiB']) {
      await user.type(screen.getByTestId(ids.containerField(0, key)), '-1');
    }
    await user.click(screen.getByTestId(ids.save));

    await waitFor(() => expect(api.calls('POST control')).toHaveLength(1));
    expect(api.calls('POST control')[0].req.data).toStrictEqual({
      cluster: 'prod-a',
      namespace: 'shop',
      workload: 'node-agent',
      kind: 'DaemonSet',
      containers: [{ name: 'app', cpuRequestMillis: -1, cpuLimitMillis: -1, memRequestMiB: -1, memLimitMiB: -1 }],
    });
  });
});
