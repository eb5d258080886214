import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import type { EnforcementPreview, PreviewTotals, PreviewWorkload } from '../../api/decideTypes';
import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, type Reply } from '../../testing/fakeApi';
import { ADMIN, clusterSettings, context, gitopsConfig, health, namespaceItem } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Clusters from './Clusters';

const user = userEventLib.setup({ delay: null });
const ids = testIds.clusters;
const PATH = '/a/kubedoor-capacity-app/clusters?cluster=prod-a';

const amount = (live: number, target: number) => ({ live, target, delta: target - live });

function workload(over: Partial<PreviewWorkload>): PreviewWorkload {
  return {
    name: 'api',
    status: 'change',
    direction: 'scale-down',
    hpa: '',
    replicas: amount(6, 4),
    cpuRequestMillis: amount(3000, 1400),
    memRequestMiB: amount(3072, 1600),
    changes: ['replicas 6 -> 4', 'app requests.cpu 500m -> 350m'],
    tableVersion: 3,
    notes: [],
    ...over,
  };
}

const totals: PreviewTotals = {
  workloads: 3,
  changed: 1,
  scaleDown: 1,
  scaleUp: 0,
  resize: 0,
  unknown: 1,
  wouldDeny: 1,
  notRunning: 0,
  replicas: amount(9, 7),
  cpuRequestMillis: amount(3700, 2100),
  memRequestMiB: amount(4096, 2624),
};

const preview: EnforcementPreview = {
  cluster: 'prod-a',
  warnings: [],
  totals,
  namespaces: [
    {
      name: 'pay',
      control: '',
      unknownWorkloads: 'deny',
      totals,
      workloads: [
        workload({
          lastDecision: {
            time: '2026-11-20T10:00:00Z',
            operation: 'deployment-update',
            result: 'observed',
            reason: 'template-change',
          },
        }),
        workload({ name: 'pay', status: 'unchanged', direction: '', changes: [] }),
        workload({
          name: 'rogue',
          kind: 'StatefulSet',
          status: 'unknown',
          direction: '',
          outcome: 'denied',
          changes: [],
        }),
      ],
    },
  ],
};

function routes(extra: Record<string, Reply> = {}): Record<string, Reply> {
  return {
    'GET clusters': ok({
      items: [
        {
          name: 'prod-a',
          timeZone: 'UTC',
          prometheusUrl: 'http://prom:9090',
          settings: clusterSettings(),
          lastCollection: null,
        },
      ],
    }),
    'GET clusters/prod-a/health': ok(health()),
    'GET clusters/prod-a/settings': ok(clusterSettings()),
    'GET clusters/prod-a/namespaces': ok({
      items: [namespaceItem({ name: 'pay', control: '', policies: 2, workloads: 3 })],
    }),
    'GET collections': ok({ items: [], total: 0 }),
    'GET clusters/prod-a/gitops': ok(gitopsConfig()),
    ...extra,
  };
}

describe('Enforcement preview', () => {
  test('the enforce switch shows what enforcing would change before the Admin confirms', async () => {
    const api = fakeApi(routes({ 'GET clusters/prod-a/preview': ok(preview) }));
    renderPage(<Clusters />, context(ADMIN), PATH);
    const ns = await screen.findByTestId(ids.namespaces);
    const pay = (await within(ns).findByText('pay')).closest('tr')!;
    await user.click(within(pay).getByRole('radio', { name: 'Enforce' }));

    const box = await screen.findByTestId(ids.preview);
    expect(
      await within(box).findByText(
        '3 running workloads: 1 scale down, 0 scale up, 0 resized, 1 not in the table (1 would be denied).'
      )
    ).toBeInTheDocument();
    expect(
      within(box).getByText(
        'Replicas 9 → 7 (−2); CPU requests 3700m → 2100m (−1600m); memory requests 4 GiB → 2.6 GiB (−1.4 GiB).'
      )
    ).toBeInTheDocument();
    expect(within(box).getByText('replicas 6 -> 4; app requests.cpu 500m -> 350m')).toBeInTheDocument();
    expect(within(box).getByText('webhook last: observed (template-change)')).toBeInTheDocument();
    expect(within(box).getByText('not in the table: denied')).toBeInTheDocument();
    // Each workload's kind is shown; one without kind (older backends) is a Deployment.
    expect(within(within(box).getByText('rogue').parentElement!).getByText('STS')).toBeInTheDocument();
    expect(within(box).getAllByText('Deploy')).toHaveLength(1);
    // Unchanged workloads are counted, not listed.
    expect(within(box).queryByText('pay')).not.toBeInTheDocument();
    expect(api.calls('GET clusters/prod-a/preview')[0].query.get('namespace')).toBe('pay');
    expect(api.calls('PUT clusters/prod-a/namespaces/pay/enforcement')).toHaveLength(0);
  });

  test('a preview that cannot be read says why and the switch can still be confirmed', async () => {
    const api = fakeApi(
      routes({
        'GET clusters/prod-a/preview': fail(503, 'cluster prod-a: connection refused'),
        'PUT clusters/prod-a/namespaces/pay/enforcement': ok(namespaceItem({ name: 'pay', control: 'enforce' })),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    const ns = await screen.findByTestId(ids.namespaces);
    const pay = (await within(ns).findByText('pay')).closest('tr')!;
    await user.click(within(pay).getByRole('radio', { name: 'Enforce' }));

    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText('cluster prod-a: connection refused')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Enforce' }));
    await waitFor(() => expect(api.calls('PUT clusters/prod-a/namespaces/pay/enforcement')).toHaveLength(1));
  });

  test('the dialog also says what enforcing the namespace saves a month', async () => {
    const cost = (cpuCores: number, memGiB: number, monthly: number) => ({ cpuCores, memGiB, monthly });
    const api = fakeApi(
      routes({
        'GET clusters/prod-a/preview': ok(preview),
        'GET clusters/prod-a/recommendations': ok({
          cluster: 'prod-a',
          currency: 'USD',
          prices: { currency: 'USD', cpuCoreHour: 0.0316, memGiBHour: 0.0042 },
          days: 30,
          nowFrom: 'live',
          totals: {
            now: cost(12, 24, 350.5),
            table: cost(6.5, 16, 200),
            recommended: cost(5, 12, 150),
            savingsTable: 150.5,
            savingsRecommended: 200.5,
          },
          namespaces: [],
          items: [],
        }),
      })
    );
    renderPage(<Clusters />, context(ADMIN), PATH);
    const ns = await screen.findByTestId(ids.namespaces);
    const pay = (await within(ns).findByText('pay')).closest('tr')!;
    await user.click(within(pay).getByRole('radio', { name: 'Enforce' }));

    const box = await screen.findByTestId(ids.previewSavings);
    expect(await within(box).findByText('Now: 12 cores, 24 GiB, $350.50 a month')).toBeInTheDocument();
    expect(within(box).getByText('With the control table: 6.5 cores, 16 GiB, $200.00 a month')).toBeInTheDocument();
    expect(within(box).getByText('Enforcing saves $150.50 a month')).toBeInTheDocument();
    expect(api.calls('GET clusters/prod-a/recommendations')[0].query.get('namespace')).toBe('pay');
    // The preview itself is still there.
    expect(await within(screen.getByTestId(ids.preview)).findByText(/3 running workloads/)).toBeInTheDocument();
  });
});
