import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, type Reply } from '../../testing/fakeApi';
import {
  ADMIN,
  clusterSettings,
  context,
  EDITOR,
  gitopsConfig,
  health,
  job,
  namespaceItem,
  VIEWER,
} from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Clusters from './Clusters';

const user = userEventLib.setup({ delay: null });
const ids = testIds.clusters;
const PATH = '/a/kubedoor-capacity-app/clusters?cluster=prod-a';

function routes(extra: Record<string, Reply> = {}): Record<string, Reply> {
  return {
    'GET clusters': ok({
      items: [
        {
          name: 'prod-a',
          timeZone: 'Asia/Shanghai',
          prometheusUrl: 'http://prom:9090',
          settings: clusterSettings(),
          lastCollection: null,
        },
      ],
    }),
    'GET clusters/prod-a/health': ok(health()),
    'GET clusters/prod-a/settings': ok(clusterSettings()),
    'GET clusters/prod-a/namespaces': ok({
      items: [namespaceItem(), namespaceItem({ name: 'pay', control: '', policies: 0, workloads: 4 })],
    }),
    'GET collections': ok({ items: [], total: 0 }),
    'GET clusters/prod-a/gitops': ok(gitopsConfig()),
    ...extra,
  };
}

async function setField(path: string, value: string) {
  const input = screen.getByTestId(ids.field(path));
  await user.clear(input);
  await user.type(input, value);
}

describe('Clusters & settings page', () => {
  test('a Viewer reads settings, health and namespaces but cannot change them', async () => {
    fakeApi(routes());
    renderPage(<Clusters />, context(VIEWER), PATH);

    const form = await screen.findByTestId(ids.settingsForm);
    expect(within(form).getByText(/Version 3, saved by ada/)).toBeInTheDocument();
    expect(screen.getByTestId(ids.field('peakWindow.start'))).toHaveValue('10:00');
    expect(screen.getByTestId(ids.field('peakWindow.start'))).toBeDisabled();
    expect(screen.queryByTestId(ids.saveSettings)).not.toBeInTheDocument();
    const health = await screen.findByTestId(ids.health);
    expect(await within(health).findByText('v1.34.4')).toBeInTheDocument();
    expect(within(health).getByText('2/2 replicas ready')).toBeInTheDocument();
    const ns = await screen.findByTestId(ids.namespaces);
    expect(await within(ns).findByText('Observe')).toBeInTheDocument();
    expect(within(ns).queryByRole('radio')).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.backfill)).not.toBeInTheDocument();
  });

  test('an Admin saves the settings with the version they were read at', async () => {
    const api = fakeApi(
      routes({
        'PUT clusters/prod-a/settings': ok(
          clusterSettings({ version: 4, peakWindow: { start: '20:00', end: '01:00' } })
        ),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    await screen.findByTestId(ids.settingsForm);

    await setField('peakWindow.start', '20:00');
    await setField('peakWindow.end', '01:00');
    expect(screen.getByText('Crosses midnight')).toBeInTheDocument();
    await setField('headroom', '0.2');
    await user.click(screen.getByTestId(ids.saveSettings));

    expect(await screen.findByTestId(ids.settingsSaved)).toBeInTheDocument();
    expect(api.calls('PUT clusters/prod-a/settings')[0].req.data).toEqual({
      ...clusterSettings(),
      peakWindow: { start: '20:00', end: '01:00' },
      headroom: 0.2,
      expectedVersion: 3,
    });
    expect(screen.getByText(/Version 4, saved by ada/)).toBeInTheDocument();
  });

  test('invalid values are refused by field before saving; a 400 lands on its field; a 409 offers a reload', async () => {
    let puts = 0;
    fakeApi(
      routes({
        'PUT clusters/prod-a/settings': (req, q) =>
          ++puts === 1
            ? fail(400, 'quantile: must be at most 0.999', { field: 'quantile' })(req, q)
            : fail(409, 'settings changed: version 5 is current', { current: clusterSettings({ version: 5 }) })(req, q),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    await screen.findByTestId(ids.settingsForm);

    await setField('days', '120');
    expect(screen.getByText('A whole number of days from 1 to 90')).toBeInTheDocument();
    expect(screen.getByTestId(ids.saveSettings)).toBeDisabled();
    await setField('days', '14');

    await user.click(screen.getByTestId(ids.saveSettings));
    expect(await screen.findAllByText('quantile: must be at most 0.999')).toHaveLength(2);

    await setField('quantile', '0.99');
    await user.click(screen.getByTestId(ids.saveSettings));
    const box = await screen.findByTestId(ids.settingsError);
    expect(within(box).getByText('Someone saved these settings meanwhile: yours were not saved')).toBeInTheDocument();
    expect(within(box).getByRole('button', { name: 'Load the saved settings' })).toBeInTheDocument();
  });

  test("an Admin edits recommended replicas and prices; the server's 400 lands on its field", async () => {
    const withBlocks = clusterSettings({
      recommend: { enabled: false, cpuTarget: 0.7, memTarget: 0.8, maxReplicas: 1000, maxStepDown: 0.5, overrides: [] },
      prices: { currency: 'USD', cpuCoreHour: 0.0316, memGiBHour: 0.0042 },
    });
    const api = fakeApi(
      routes({
        'GET clusters/prod-a/settings': ok(withBlocks),
        'PUT clusters/prod-a/settings': fail(400, 'must be a price per hour from 0 to 1000', {
          field: 'prices.memGiBHour',
        }),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    await screen.findByTestId(ids.settingsForm);
    expect(screen.getByText(/they change the replicas the webhook enforces/)).toBeInTheDocument();
    await setField('recommend.cpuTarget', '1.5');
    expect(
      screen.getByText('Above 0 and at most 1 (0.7 = each pod may use 70% of its request at the peak)')
    ).toBeInTheDocument();
    expect(screen.getByTestId(ids.saveSettings)).toBeDisabled();
    await setField('recommend.cpuTarget', '0.6');
    await user.click(screen.getByTestId(ids.field('recommend.enabled')));
    await user.click(screen.getByTestId(ids.addRecommendOverride));
    await setField('recommend.overrides[0].namespace', 'shop');
    await setField('prices.cpuCoreHour', '0.05');
    await user.click(screen.getByTestId(ids.saveSettings));

    const body = api.calls('PUT clusters/prod-a/settings')[0].req.data;
    expect(body.recommend).toEqual({
      enabled: true,
      cpuTarget: 0.6,
      memTarget: 0.8,
      maxReplicas: 1000,
      maxStepDown: 0.5,
      overrides: [{ namespace: 'shop', workload: '', cpuTarget: 0.6, memTarget: 0.8 }],
    });
    expect(body.prices).toEqual({ currency: 'USD', cpuCoreHour: 0.05, memGiBHour: 0.0042 });
    // Once in the alert, once under the field.
    expect(await screen.findAllByText('must be a price per hour from 0 to 1000')).toHaveLength(2);
  });

  test('a Viewer sees the recommend and prices settings read-only', async () => {
    fakeApi(
      routes({
        'GET clusters/prod-a/settings': ok(
          clusterSettings({
            recommend: {
              enabled: true,
              cpuTarget: 0.7,
              memTarget: 0.8,
              maxReplicas: 1000,
              maxStepDown: 0.5,
              overrides: null,
            },
            prices: { currency: 'EUR', cpuCoreHour: 0.03, memGiBHour: 0.004 },
          })
        ),
      })
    );
    renderPage(<Clusters />, context(VIEWER), PATH);
    await screen.findByTestId(ids.settingsForm);
    expect(screen.getByTestId(ids.field('prices.currency'))).toHaveValue('EUR');
    expect(screen.getByTestId(ids.field('prices.currency'))).toBeDisabled();
    expect(screen.getByTestId(ids.field('recommend.enabled'))).toBeDisabled();
    expect(screen.queryByTestId(ids.addRecommendOverride)).not.toBeInTheDocument();
  });

  test('an override needs a valid namespace and times', async () => {
    fakeApi(routes());
    renderPage(<Clusters />, context(ADMIN), PATH);
    await screen.findByTestId(ids.settingsForm);
    await user.click(screen.getByTestId(ids.addOverride));
    expect(screen.getByText('A namespace name')).toBeInTheDocument();
    await user.type(screen.getByTestId(ids.field('overrides[0].namespace')), 'shop');
    expect(screen.queryByText('A namespace name')).not.toBeInTheDocument();
  });

  test('switching a namespace to enforce asks first, then PUTs the switch', async () => {
    const api = fakeApi(
      routes({
        'PUT clusters/prod-a/namespaces/pay/enforcement': ok(
          namespaceItem({ name: 'pay', control: 'enforce', policies: 0, workloads: 4 })
        ),
        'PUT clusters/prod-a/namespaces/shop/enforcement': fail(400, 'shop: enforcement refused: webhook not ready'),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    const ns = await screen.findByTestId(ids.namespaces);
    const pay = (await within(ns).findByText('pay')).closest('tr')!;
    await user.click(within(pay).getByRole('radio', { name: 'Enforce' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Enforce the control table in pay?')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Enforce' }));

    await waitFor(() => expect(api.calls('PUT clusters/prod-a/namespaces/pay/enforcement')).toHaveLength(1));
    expect(api.calls('PUT clusters/prod-a/namespaces/pay/enforcement')[0].req.data).toEqual({
      control: 'enforce',
      unknownWorkloads: 'deny',
    });
    await waitFor(() => expect(within(pay).getByRole('radio', { name: 'Enforce' })).toBeChecked());

    // Observe → off needs no confirmation; a refusal is shown with the namespace.
    const shop = within(ns).getByText('shop').closest('tr')!;
    await user.click(within(shop).getByRole('radio', { name: 'Off' }));
    expect(await screen.findByText('shop: shop: enforcement refused: webhook not ready')).toBeInTheDocument();
  });

  test('a backfill shows its progress until it ends, with its errors', async () => {
    let polls = 0;
    const api = fakeApi(
      routes({
        'POST clusters/prod-a/collections': ok(job({ state: 'queued', daysDone: 0 })),
        'GET collections/job-1': () =>
          ++polls < 2
            ? ok(job({ daysDone: 6 }))
            : ok(
                job({
                  state: 'failed',
                  daysDone: 10,
                  errorCount: 1,
                  errors: ['2026-11-15: prometheus: timeout'],
                  finishedAt: '2026-11-22T08:05:00Z',
                })
              ),
      })
    );
    renderPage(<Clusters pollMs={20} />, context(EDITOR), PATH);
    const days = await screen.findByTestId(ids.backfillDays);
    await user.clear(days);
    await user.type(days, '10');
    await user.click(screen.getByTestId(ids.backfill));

    const progress = await screen.findByTestId(ids.jobProgress);
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '60'));
    await waitFor(() => expect(screen.getByText('2026-11-15: prometheus: timeout')).toBeInTheDocument());
    expect(screen.getByTestId(ids.jobProgress)).toHaveAttribute('aria-valuenow', '100');
    expect(api.calls('POST clusters/prod-a/collections')[0].req.data).toEqual({ days: 10 });
    expect(screen.queryByTestId(ids.jobCancel)).not.toBeInTheDocument();
  });

  test('a job that kept stored rows says so: in its progress, and in the list with the days and reasons', async () => {
    const kept = job({
      state: 'succeeded',
      daysDone: 10,
      finishedAt: '2026-11-22T08:05:00Z',
      unavailable: ['2026-11-12'],
      kept: [
        {
          day: '2026-11-15',
          storedWorkloads: 117,
          foundWorkloads: 0,
          keptWorkloads: 117,
          reason: 'Prometheus answered no workloads for this day; the 117 stored workloads were kept',
        },
      ],
    });
    fakeApi(
      routes({
        'POST clusters/prod-a/collections': ok(job({ state: 'queued', daysDone: 0 })),
        'GET collections/job-1': ok(kept),
        'GET collections': ok({ items: [kept], total: 1 }),
      })
    );
    renderPage(<Clusters pollMs={20} />, context(EDITOR), PATH);
    const table = await screen.findByTestId(ids.jobs);
    const row = within(table).getByText('2026-11-12 – 2026-11-21 (10/10)').closest('tr')!;
    expect(within(row).getByText('1')).toBeInTheDocument(); // days kept
    await user.click(within(table).getByRole('button', { name: /expand/i }));
    expect(
      await within(table).findByText(
        '2026-11-15: Prometheus answered no workloads for this day; the 117 stored workloads were kept'
      )
    ).toBeInTheDocument();
    expect(within(table).getByText('Days Prometheus holds no data of: 1')).toBeInTheDocument();

    await user.click(screen.getByTestId(ids.backfill));
    const progress = await screen.findByTestId(ids.job);
    expect(await within(progress).findByText('Days whose stored rows were kept: 1')).toBeInTheDocument();
    expect(within(progress).getByTestId(ids.jobKept)).toHaveTextContent('2026-11-15: Prometheus answered no workloads');
  });

  test('a running job found on load is followed and can be cancelled', async () => {
    // As the backend does: the job says "cancelled" once it has stopped, in every later read.
    let cancelled = false;
    const api = fakeApi(
      routes({
        'GET collections': ok({ items: [job()], total: 1 }),
        'GET collections/job-1': () => ok(job(cancelled ? { state: 'cancelled' } : {})),
        'DELETE collections/job-1': () => {
          cancelled = true;
          return ok(job({ state: 'cancelled' }));
        },
      })
    );
    renderPage(<Clusters pollMs={50} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.jobCancel));
    await waitFor(() => expect(api.calls('DELETE collections/job-1')).toHaveLength(1));
    expect(await within(screen.getByTestId(ids.job)).findByText('cancelled')).toBeInTheDocument();
  });

  test('a second backfill while one runs follows the running job (409 with current)', async () => {
    fakeApi(
      routes({
        'POST clusters/prod-a/collections': fail(409, 'prod-a already has a running job', {
          current: job({ id: 'job-9', daysDone: 2 }),
        }),
        'GET collections/job-9': ok(job({ id: 'job-9', daysDone: 5 })),
      })
    );
    renderPage(<Clusters pollMs={20} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.backfill));
    expect(await screen.findByText('prod-a already has a running job')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId(ids.jobProgress)).toHaveAttribute('aria-valuenow', '50'));
  });

  test('protected namespaces can only be switched off; warnings and notes are shown', async () => {
    fakeApi(
      routes({
        'GET clusters/prod-a/namespaces': ok({
          items: [namespaceItem({ name: 'kubedoor', control: '', protected: true, notes: ['runs kubedoor-webhook'] })],
          warnings: ['CapacityPolicy CRD not installed: policies not counted'],
        }),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    const ns = await screen.findByTestId(ids.namespaces);
    expect(await within(ns).findByText('CapacityPolicy CRD not installed: policies not counted')).toBeInTheDocument();
    expect(within(ns).getByText('protected')).toBeInTheDocument();
    expect(within(ns).getByText('runs kubedoor-webhook')).toBeInTheDocument();
    const row = within(ns).getByText('kubedoor').closest('tr')!;
    expect(within(row).getByRole('radio', { name: 'Enforce' })).toBeDisabled();
    expect(within(row).getByRole('radio', { name: 'Off' })).toBeEnabled();
  });

  test('a namespace whose target is pods says replicas are not forced; others write to the workloads', async () => {
    fakeApi(
      routes({
        'GET clusters/prod-a/namespaces': ok({
          items: [
            namespaceItem({ name: 'gitops', control: 'enforce', target: 'pods' }),
            namespaceItem({ name: 'shop', target: 'template' }),
          ],
        }),
      })
    );
    renderPage(<Clusters />, context(VIEWER), PATH);
    expect(await screen.findByTestId(ids.namespaceTarget('gitops'))).toHaveTextContent('Pods (replicas not forced)');
    expect(screen.getByTestId(ids.namespaceTarget('shop'))).toHaveTextContent('Workloads');
  });

  test('a refused backfill and out-of-range days are explained', async () => {
    fakeApi(routes({ 'POST clusters/prod-a/collections': fail(409, 'a collection of prod-a is already running') }));
    renderPage(<Clusters />, context(EDITOR), PATH);
    const days = await screen.findByTestId(ids.backfillDays);
    await user.clear(days);
    await user.type(days, '401');
    expect(screen.getByText('A whole number from 1 to 400')).toBeInTheDocument();
    expect(screen.getByTestId(ids.backfill)).toBeDisabled();
    await user.clear(days);
    await user.type(days, '3');
    await user.click(screen.getByTestId(ids.backfill));
    expect(await screen.findByText('a collection of prod-a is already running')).toBeInTheDocument();
  });

  test('sections fail on their own: an unreachable cluster still shows its settings', async () => {
    fakeApi(
      routes({
        'GET clusters/prod-a/health': fail(503, 'cluster prod-a: no Kubernetes access configured'),
        'GET clusters/prod-a/namespaces': fail(503, 'cluster prod-a: no Kubernetes access configured'),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    expect(await screen.findByTestId(ids.settingsForm)).toBeInTheDocument();
    expect(await screen.findAllByText('cluster prod-a: no Kubernetes access configured')).toHaveLength(2);
  });
});
