import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, pending } from '../../testing/fakeApi';
import { context, controlRow, EDITOR, VIEWER } from '../../testing/fixtures';
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

describe('Control table page', () => {
  test('shows a loading state, then every row with its effective replicas and where they come from', async () => {
    const list = pending();
    const api = fakeApi({ 'GET control': list.reply });
    renderPage(<ControlTable />, context(VIEWER), PATH);

    expect(screen.getByText('Loading the control table...')).toBeInTheDocument();
    list.resolve({ items: [checkout, cart], total: 2 });

    const table = await screen.findByTestId(ids.table);
    expect(within(table).getByText('2 workloads')).toBeInTheDocument();
    const cartRow = screen.getByTestId(ids.row('shop', 'cart')).closest('tr')!;
    expect(within(cartRow).getByText('5')).toBeInTheDocument();
    expect(within(cartRow).getByText('manual')).toBeInTheDocument();
    const checkoutRow = screen.getByTestId(ids.row('shop', 'checkout')).closest('tr')!;
    expect(within(checkoutRow).getByText('observed')).toBeInTheDocument();
    expect(within(checkoutRow).getByText(/350m/)).toBeInTheDocument();
    expect(within(checkoutRow).getByText(/2 GiB/)).toBeInTheDocument();
    const [call] = api.calls('GET control');
    expect(Object.fromEntries(call.query)).toEqual({ cluster: 'prod-a', limit: '1000', offset: '0' });
  });

  test("replicas raised to the cluster's minReplicas are marked, and the tooltip says from what", async () => {
    const note = "replicas observed raised from 0 (median Ready pods on 2026-11-20) to the cluster's minReplicas 1";
    const floored = controlRow({
      workload: 'flaky',
      replicas: { manual: -1, recommended: -1, observed: 1, observedFrom: 'floor', effective: 1, source: 'observed' },
      notes: [note],
    });
    fakeApi({ 'GET control': page([checkout, floored]) });
    renderPage(<ControlTable />, context(VIEWER), PATH);

    const badge = await screen.findByTestId(ids.replicasFloor('shop', 'flaky'));
    expect(within(badge).getByText('min floor')).toBeInTheDocument();
    expect(screen.queryByTestId(ids.replicasFloor('shop', 'checkout'))).not.toBeInTheDocument();
    await user.hover(badge);
    expect(
      await screen.findByText(new RegExp(`from the cluster's minReplicas floor\\)\\. ${note.replace(/[()]/g, '\\$&')}`))
    ).toBeInTheDocument();
    await user.unhover(badge);
    const checkoutRow = screen.getByTestId(ids.row('shop', 'checkout')).closest('tr')!;
    await user.hover(within(checkoutRow).getByText('observed'));
    expect(
      await screen.findByText(/observed 3 \(from the workload's desired replicas at the peak\)$/)
    ).toBeInTheDocument();
  });

  test('a Viewer sees no edit, batch or add controls', async () => {
    fakeApi({ 'GET control': page() });
    renderPage(<ControlTable />, context(VIEWER), PATH);

    await screen.findByTestId(ids.table);
    expect(screen.queryByTestId(ids.edit('shop', 'checkout'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.select('shop', 'checkout'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.add)).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.batchScale)).not.toBeInTheDocument();
    expect(screen.getByTestId(ids.history('shop', 'checkout'))).toBeInTheDocument();
    expect(screen.getByTestId(ids.live('shop', 'checkout'))).toHaveAttribute(
      'href',
      '/d/kubedoor-live?var-cluster=prod-a&var-namespace=shop&var-kind=Deployment&var-workload=checkout'
    );
  });

  test('an empty cluster says how rows get there', async () => {
    fakeApi({ 'GET control': page([]) });
    renderPage(<ControlTable />, context(EDITOR), PATH);

    const empty = await screen.findByTestId(ids.empty);
    expect(within(empty).getByText('No workload is under control in prod-a yet')).toBeInTheDocument();
  });

  test('an error shows the backend sentence and Retry loads again', async () => {
    let calls = 0;
    fakeApi({
      'GET control': (req, q) => (++calls === 1 ? fail(503, 'store is not ready: migrating')(req, q) : page()),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);

    expect(await screen.findByText('store is not ready: migrating')).toBeInTheDocument();
    expect(screen.getByText('Could not load the control table')).toBeInTheDocument();
    await user.click(screen.getByTestId(testIds.common.retry));
    expect(await screen.findByTestId(ids.table)).toBeInTheDocument();
  });

  test('a refusal is shown as not allowed, with the reason', async () => {
    fakeApi({ 'GET control': fail(403, 'read the control table requires the Viewer role; "x" has None') });
    renderPage(<ControlTable />, context(undefined), PATH);

    const box = await screen.findByTestId(testIds.common.forbidden);
    expect(within(box).getByText('Not allowed for your role')).toBeInTheDocument();
    expect(within(box).getByText(/requires the Viewer role/)).toBeInTheDocument();
  });

  test('without clusters the page says to configure one', () => {
    fakeApi({});
    renderPage(<ControlTable />, context(EDITOR, []), PATH);
    expect(screen.getByTestId(testIds.common.noClusters)).toBeInTheDocument();
  });

  test('the search asks the backend once typing pauses', async () => {
    const api = fakeApi({ 'GET control': page() });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await screen.findByTestId(ids.table);

    await user.type(screen.getByTestId(ids.search), 'chec');

    await waitFor(() => expect(api.calls('GET control')).toHaveLength(2));
    expect(api.calls('GET control')[1].query.get('q')).toBe('chec');
  });

  test('editing refuses a request above its limit before asking the backend', async () => {
    const api = fakeApi({ 'GET control': page() });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));

    const request = screen.getByTestId(ids.containerField(0, 'cpuRequestMillis'));
    await user.clear(request);
    await user.type(request, '2500');

    expect(screen.getByText('The request (2500) is above the limit (2000)')).toBeInTheDocument();
    expect(screen.getByTestId(ids.save)).toBeDisabled();
    expect(api.calls(`PUT ${ROW}`)).toHaveLength(0);
  });

  test('Save sends only what changed, with the version it was read at, and reloads the table', async () => {
    const api = fakeApi({
      'GET control': page(),
      [`PUT ${ROW}`]: ok(controlRow({ version: 5 })),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));

    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '6');
    await user.clear(screen.getByTestId(ids.containerField(0, 'memLimitMiB')));
    await user.type(screen.getByTestId(ids.containerField(0, 'memLimitMiB')), '3072');
    await user.click(screen.getByTestId(ids.save));

    await waitFor(() => expect(screen.queryByTestId(ids.dialog)).not.toBeInTheDocument());
    expect(api.calls(`PUT ${ROW}`).map((c) => c.req.data)).toEqual([
      { expectedVersion: 4, replicasManual: 6, containers: [{ name: 'app', memLimitMiB: 3072 }] },
    ]);
    await waitFor(() => expect(api.calls('GET control')).toHaveLength(2));
  });

  test('a value set by hand can be handed back to the collection', async () => {
    const api = fakeApi({ 'GET control': page(), [`PUT ${ROW}`]: ok(controlRow({ version: 5 })) });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));

    // The fixture's memory limit is "manual"; the CPU request is "collected" and has no such button.
    expect(screen.queryByTestId(ids.containerField(0, 'cpuRequestMillis-reset'))).not.toBeInTheDocument();
    await user.click(screen.getByTestId(ids.containerField(0, 'memLimitMiB-reset')));
    expect(screen.getByText('Follows the collection after saving')).toBeInTheDocument();
    await user.click(screen.getByTestId(ids.save));

    await waitFor(() => expect(api.calls(`PUT ${ROW}`)).toHaveLength(1));
    expect(api.calls(`PUT ${ROW}`)[0].req.data).toEqual({
      expectedVersion: 4,
      containers: [{ name: 'app', resetToCollected: ['memLimit'] }],
    });
  });

  test('a conflict says who changed the row and loads the current values on request', async () => {
    const current = controlRow({
      version: 7,
      updatedBy: 'ada',
      replicas: { manual: 9, recommended: -1, observed: 3, effective: 9, source: 'manual' },
    });
    fakeApi({
      'GET control': page(),
      [`PUT ${ROW}`]: fail(409, 'version 4 is not the current version 7', { current }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));
    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '6');
    await user.click(screen.getByTestId(ids.save));

    const box = await screen.findByTestId(ids.dialogError);
    expect(within(box).getByText('Changed meanwhile: your edit was not saved')).toBeInTheDocument();
    expect(within(box).getByText(/Version 7 by ada/)).toBeInTheDocument();
    await user.click(within(box).getByRole('button', { name: 'Load the current values' }));
    expect(screen.getByTestId(ids.replicasManual)).toHaveValue('9');
  });

  test("a 400 naming a field shows the backend's reason under that input", async () => {
    fakeApi({
      'GET control': page(),
      [`PUT ${ROW}`]: fail(400, 'containers[0].cpuLimitMillis: above the namespace LimitRange maximum', {
        field: 'containers[0].cpuLimitMillis',
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));
    await user.clear(screen.getByTestId(ids.containerField(0, 'cpuLimitMillis')));
    await user.type(screen.getByTestId(ids.containerField(0, 'cpuLimitMillis')), '64000');
    await user.click(screen.getByTestId(ids.save));

    // Once under the input and once in the dialog's error box.
    await waitFor(() => expect(screen.getAllByText(/above the namespace LimitRange maximum/)).toHaveLength(2));
    const dialog = screen.getByTestId(ids.dialogError);
    expect(within(dialog).getByText(/above the namespace LimitRange maximum/)).toBeInTheDocument();
  });

  test('Save & scale saves, then scales to the effective replicas of the saved row; a failed scale is reported', async () => {
    const saved = controlRow({
      version: 5,
      replicas: { manual: 6, recommended: -1, observed: 3, effective: 6, source: 'manual' },
    });
    const api = fakeApi({
      'GET control': page(),
      [`PUT ${ROW}`]: ok(saved),
      'POST actions/scale': ok({
        results: [
          {
            cluster: 'prod-a',
            namespace: 'shop',
            workload: 'checkout',
            ok: false,
            error: 'deployments.apps "checkout" not found',
          },
        ],
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('shop', 'checkout')));
    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '6');
    await user.click(screen.getByTestId(ids.saveScale));

    const box = await screen.findByTestId(ids.dialogError);
    expect(
      within(box).getByText('Saved, but scaling failed: deployments.apps "checkout" not found')
    ).toBeInTheDocument();
    expect(api.calls('POST actions/scale')[0].req.data).toEqual({
      items: [{ cluster: 'prod-a', namespace: 'shop', workload: 'checkout', replicas: 6 }],
      temporary: false,
      intervalSeconds: 0,
    });
  });

  test('a batch restart runs the selected rows with the interval and reports each result', async () => {
    const api = fakeApi({
      'GET control': page(),
      'POST actions/restart': ok({
        results: [
          { cluster: 'prod-a', namespace: 'shop', workload: 'checkout', ok: true },
          { cluster: 'prod-a', namespace: 'shop', workload: 'cart', ok: false, error: 'timeout' },
        ],
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.select('shop', 'checkout')));
    await user.click(screen.getByTestId(ids.select('shop', 'cart')));
    await user.click(screen.getByTestId(ids.batchRestart));

    const interval = screen.getByTestId(ids.batchInterval);
    await user.clear(interval);
    await user.type(interval, '30');
    await user.click(screen.getByTestId(ids.batchRun));

    const results = await screen.findByTestId(ids.results);
    expect(within(results).getByText('1 of 2 failed')).toBeInTheDocument();
    expect(within(results).getByText(/shop\/cart: timeout/)).toBeInTheDocument();
    expect(api.calls('POST actions/restart')[0].req.data).toEqual({
      items: [
        { cluster: 'prod-a', namespace: 'shop', workload: 'checkout' },
        { cluster: 'prod-a', namespace: 'shop', workload: 'cart' },
      ],
      intervalSeconds: 30,
    });
  });

  test('a batch scale to one number can be temporary', async () => {
    const api = fakeApi({
      'GET control': page(),
      'POST actions/scale': ok({ results: [{ cluster: 'prod-a', namespace: 'shop', workload: 'cart', ok: true }] }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.select('shop', 'cart')));
    await user.click(screen.getByTestId(ids.batchScale));
    await user.click(screen.getByRole('radio', { name: 'One number for all' }));
    await user.clear(screen.getByTestId(ids.batchReplicas));
    await user.type(screen.getByTestId(ids.batchReplicas), '12');
    await user.click(screen.getByRole('switch'));
    await user.click(screen.getByTestId(ids.batchRun));

    expect(await screen.findByText('All 1 done')).toBeInTheDocument();
    expect(api.calls('POST actions/scale')[0].req.data).toEqual({
      items: [{ cluster: 'prod-a', namespace: 'shop', workload: 'cart', replicas: 12 }],
      temporary: true,
      intervalSeconds: 0,
    });
  });

  test('removing a row asks first, then deletes with the expected version', async () => {
    const api = fakeApi({ 'GET control': page(), [`DELETE ${ROW}`]: ok(controlRow({ deleted: true, version: 5 })) });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.remove('shop', 'checkout')));
    await user.click(screen.getByRole('button', { name: 'Remove' }));

    await waitFor(() => expect(api.calls(`DELETE ${ROW}`)).toHaveLength(1));
    expect(api.calls(`DELETE ${ROW}`)[0].query.get('expectedVersion')).toBe('4');
  });

  test('adding a workload posts the new row with replicas and every container value', async () => {
    const api = fakeApi({ 'GET control': page(), 'POST control': ok(controlRow({ workload: 'search', version: 1 })) });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.add));

    await user.type(screen.getByLabelText('Namespace'), 'shop');
    await user.type(screen.getByLabelText('Deployment name'), 'search');
    await user.clear(screen.getByTestId(ids.replicasManual));
    await user.type(screen.getByTestId(ids.replicasManual), '2');
    for (const [key, value] of [
      ['cpuRequestMillis', '100'],
      ['cpuLimitMillis', '1000'],
      ['memRequestMiB', '256'],
      ['memLimitMiB', '-1'],
    ]) {
      await user.type(screen.getByTestId(ids.containerField(0, key)), value);
    }
    await user.click(screen.getByTestId(ids.save));

    await waitFor(() => expect(api.calls('POST control')).toHaveLength(1));
    expect(api.calls('POST control')[0].req.data).toEqual({
      cluster: 'prod-a',
      namespace: 'shop',
      workload: 'search',
      replicas: { manual: 2 },
      containers: [{ name: 'app', cpuRequestMillis: 100, cpuLimitMillis: 1000, memRequestMiB: 256, memLimitMiB: -1 }],
    });
  });

  test('recommended replicas show beside the effective ones, with the reason, HPA and active marks', async () => {
    const reason = 'peak 3.1 cores over 12 pods at 0.6 cores each = 43 % → 8 pods reach 65 %; step limited to −4';
    const web = controlRow({
      workload: 'web',
      replicas: {
        manual: -1,
        recommended: 8,
        recommendedFor: 'hpaMinReplicas',
        recommendedReason: reason,
        recommendedActive: true,
        observed: 12,
        observedFrom: 'desired',
        effective: 12,
        source: 'observed',
      },
    });
    fakeApi({ 'GET control': page([checkout, web]), 'GET control/prod-a/shop/web/history': ok({ items: [web] }) });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    const cell = await screen.findByTestId(ids.recommended('shop', 'web'));
    expect(within(cell).getByText('8')).toBeInTheDocument();
    expect(within(cell).getByText('HPA min')).toBeInTheDocument();
    expect(within(cell).getByText('active')).toBeInTheDocument();
    expect(within(screen.getByTestId(ids.recommended('shop', 'checkout'))).getByText('—')).toBeInTheDocument();
    // Viewers cannot accept.
    expect(screen.queryByTestId(ids.accept('shop', 'web'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.batchAccept)).not.toBeInTheDocument();

    await user.click(screen.getByTestId(ids.history('shop', 'web')));
    const section = await screen.findByTestId(ids.recommendedReason);
    expect(within(section).getByText(reason)).toBeInTheDocument();
    expect(within(section).getByText('8 (HPA minReplicas)')).toBeInTheDocument();
  });

  test('an Editor accepts one row, or the selected rows, and sees what was accepted and refused', async () => {
    const rec = (workload: string, recommended: number, version: number) =>
      controlRow({
        workload,
        version,
        replicas: {
          manual: -1,
          recommended,
          recommendedFor: 'replicas',
          recommendedReason: 'r',
          observed: 12,
          effective: 12,
          source: 'observed',
        },
      });
    const web = rec('web', 8, 3);
    const api2 = rec('api', 4, 7);
    // An HPA owns these replicas: the advice is for its minReplicas, which accepting cannot set.
    const scaled = rec('scaled', 2, 1);
    scaled.replicas!.recommendedFor = 'hpaMinReplicas';
    const api = fakeApi({
      'GET control': page([checkout, web, api2, scaled]),
      'POST control/prod-a/recommendations/accept': ok({
        accepted: [{ namespace: 'shop', workload: 'web', version: 4, replicas: 8 }],
        refused: [{ namespace: 'shop', workload: 'api', code: 'conflict', reason: 'changed by bob' }],
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    // Rows without a recommendation have no Accept.
    await screen.findByTestId(ids.accept('shop', 'web'));
    expect(screen.queryByTestId(ids.accept('shop', 'checkout'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.accept('shop', 'scaled'))).not.toBeInTheDocument();

    await user.click(screen.getByTestId(ids.select('shop', 'checkout')));
    await user.click(screen.getByTestId(ids.select('shop', 'scaled')));
    await user.click(screen.getByTestId(ids.select('shop', 'web')));
    await user.click(screen.getByTestId(ids.select('shop', 'api')));
    expect(screen.getByTestId(ids.batchAccept)).toHaveTextContent('Accept recommendations (2)');
    await user.click(screen.getByTestId(ids.batchAccept));
    const dialog = screen.getByTestId(testIds.accept.dialog);
    expect(within(dialog).getByText('shop/web: 12 → 8 replicas')).toBeInTheDocument();
    expect(within(dialog).getByText('shop/api: 12 → 4 replicas')).toBeInTheDocument();
    await user.click(screen.getByTestId(testIds.accept.run));

    const results = await screen.findByTestId(testIds.accept.results);
    expect(within(results).getByText('1 accepted, 1 refused')).toBeInTheDocument();
    expect(within(results).getByText(/shop\/api \(conflict\): changed by bob/)).toBeInTheDocument();
    expect(api.calls('POST control/prod-a/recommendations/accept')[0].req.data).toEqual({
      rows: [
        { namespace: 'shop', workload: 'web', version: 3 },
        { namespace: 'shop', workload: 'api', version: 7 },
      ],
    });
    expect(api.calls('GET control').length).toBe(2);
  });
});
