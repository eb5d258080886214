import React from 'react';
import { screen, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, controlRow, EDITOR, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import ControlTable from './ControlTable';
import { resizeIds } from './ResizeDialog';

const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/control?cluster=prod-a';
const checkout = controlRow();
const db = controlRow({ workload: 'db', kind: 'StatefulSet' });

const list = ok({ items: [checkout, db], total: 2 });

describe('Apply now (in place)', () => {
  test('Viewers see no button', async () => {
    fakeApi({ 'GET control': list });
    renderPage(<ControlTable />, context(VIEWER), PATH);
    await screen.findByText('2 workloads');
    expect(screen.queryByTestId(resizeIds.open('shop', 'checkout'))).not.toBeInTheDocument();
  });

  test('an Editor confirms what will change, then sees each pod with its outcome, reason and kept values', async () => {
    const api = fakeApi({
      'GET control': list,
      'POST control/prod-a/shop/db/resize': ok({
        cluster: 'prod-a',
        namespace: 'shop',
        workload: 'db',
        kind: 'StatefulSet',
        ok: false,
        error: '1 of 2 pods skipped, 0 failed (see each pod’s reason)',
        after: {
          budget: { inFlight: 1, from: 'no PodDisruptionBudget' },
          fallback: { restarted: false, reason: 'not run: outside the maintenance window (0 2 * * 6; 3h; UTC)' },
          pods: [
            {
              pod: 'db-0',
              outcome: 'resized',
              kept: ['app: memory request 2Gi kept: below peak (420Mi < peak 1Gi)'],
              before: [{ name: 'app', cpuRequest: '100m', memRequest: '2Gi' }],
              after: [{ name: 'app', cpuRequest: '350m', memRequest: '2Gi' }],
            },
            {
              pod: 'db-1',
              outcome: 'skipped',
              reason: "Infeasible on the node: Node didn't have enough capacity",
              before: [{ name: 'app', cpuRequest: '100m' }],
            },
          ],
        },
      }),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(resizeIds.open('shop', 'db', 'StatefulSet')));

    const dialog = screen.getByTestId(resizeIds.dialog);
    expect(screen.getByText('Apply shop/StatefulSet/db now, in place')).toBeInTheDocument();
    expect(
      within(dialog).getByText('app: CPU request 350m, CPU limit 2000m, memory request 420 MiB, memory limit 2 GiB')
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/the workload template still carries the old values until the next rollout/)
    ).toBeInTheDocument();

    await user.clear(screen.getByTestId(resizeIds.pause));
    await user.type(screen.getByTestId(resizeIds.pause), '61');
    expect(screen.getByTestId(resizeIds.apply)).toBeDisabled();
    await user.clear(screen.getByTestId(resizeIds.pause));
    await user.type(screen.getByTestId(resizeIds.pause), '2');
    await user.click(screen.getByTestId(resizeIds.fallback));
    await user.click(screen.getByTestId(resizeIds.apply));

    const results = await screen.findByTestId(resizeIds.results);
    expect(within(results).getByText(/Restart fallback: not run: outside the maintenance window/)).toBeInTheDocument();
    expect(within(results).getByText('Not every pod was resized')).toBeInTheDocument();
    expect(within(results).getByText('At most 1 at once (no PodDisruptionBudget)')).toBeInTheDocument();
    expect(
      within(screen.getByTestId(resizeIds.pod('db-0'))).getByText(/db-0: resized \(app 100m\/2Gi → 350m\/2Gi\)/)
    ).toBeInTheDocument();
    expect(within(screen.getByTestId(resizeIds.pod('db-0'))).getByText(/kept: below peak/)).toBeInTheDocument();
    expect(
      within(screen.getByTestId(resizeIds.pod('db-1'))).getByText(/db-1: skipped — Infeasible on the node/)
    ).toBeInTheDocument();

    const [call] = api.calls('POST control/prod-a/shop/db/resize');
    expect(call.req.data).toEqual({ pauseSeconds: 2, fallbackRestart: true });
    expect(Object.fromEntries(call.query)).toEqual({ kind: 'StatefulSet' });
  });

  test("a cluster older than 1.33 is answered with the backend's reason and nothing is shown as applied", async () => {
    fakeApi({
      'GET control': list,
      'POST control/prod-a/shop/checkout/resize': fail(
        409,
        'cluster prod-a: in-place resize needs Kubernetes 1.33 or later'
      ),
    });
    renderPage(<ControlTable />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(resizeIds.open('shop', 'checkout')));
    await user.click(screen.getByTestId(resizeIds.apply));
    expect(await screen.findByText(/needs Kubernetes 1.33 or later/)).toBeInTheDocument();
    expect(screen.queryByTestId(resizeIds.results)).not.toBeInTheDocument();
  });
});
