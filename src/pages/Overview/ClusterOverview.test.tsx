import React from 'react';
import { screen, within } from '@testing-library/react';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, type Reply } from '../../testing/fakeApi';
import { auditEntry, context, health, job, namespaceItem, publishStatus, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Overview from './Overview';

const ids = testIds.overview;
// 2026-11-22 01:30 in Shanghai = 2026-11-21 17:30 UTC: "today" there started at 16:00 UTC.
const now = () => Date.parse('2026-11-21T17:30:00Z');

function routes(extra: Record<string, Reply> = {}): Record<string, Reply> {
  return {
    'GET status': ok({
      store: { ok: true, mode: 'embedded', message: '', schemaVersion: 3 },
      prometheus: [{ cluster: 'prod-a', ok: true, message: '' }],
      version: '0.1.0',
    }),
    'GET clusters/prod-a/health': ok(health()),
    'GET clusters/prod-a/namespaces': ok({
      items: [
        namespaceItem({ name: 'shop', control: 'enforce' }),
        namespaceItem({ name: 'pay', control: 'observe' }),
        namespaceItem({ name: 'batch', control: '' }),
      ],
    }),
    'GET control': ok({ items: [], total: 137 }),
    'GET audit': ok({
      items: [
        auditEntry({ at: '2026-11-21T17:10:00Z' }),
        auditEntry({ id: 'a2', result: 'denied', action: 'scale workloads', user: 'vera' }),
      ],
      total: 9,
    }),
    ...extra,
  };
}

describe('Overview per cluster', () => {
  test("shows enforcement, controlled workloads, today's changes, the last collection and webhook health", async () => {
    const api = fakeApi(routes());
    renderPage(<Overview now={now} />, context(VIEWER));

    const cluster = await screen.findByTestId(ids.cluster('prod-a'));
    const enforcement = within(cluster).getByTestId(ids.enforcement);
    expect(await within(enforcement).findByText('1 enforced, 1 observed, 1 off')).toBeInTheDocument();
    expect(within(enforcement).getByText('shop')).toBeInTheDocument();

    const controlled = within(cluster).getByTestId(ids.controlled);
    expect(await within(controlled).findByText('137')).toBeInTheDocument();
    expect(Object.fromEntries(api.calls('GET control')[0].query)).toEqual({ cluster: 'prod-a', limit: '1' });

    const changes = within(cluster).getByTestId(ids.changes);
    expect(within(changes).getByText("Today's changes (2026-11-22)")).toBeInTheDocument();
    expect(await within(changes).findByText('9')).toBeInTheDocument();
    expect(within(changes).getByText(/vera scale workloads .* \(denied\)/)).toBeInTheDocument();
    expect(Object.fromEntries(api.calls('GET audit')[0].query)).toEqual({
      cluster: 'prod-a',
      from: '2026-11-21T16:00:00.000Z',
      limit: '5',
    });

    const collection = within(cluster).getByTestId(ids.collection);
    expect(await within(collection).findByText('succeeded')).toBeInTheDocument();

    const webhook = within(cluster).getByTestId(ids.webhook);
    expect(await within(webhook).findByText('2/2 replicas ready')).toBeInTheDocument();
    expect(within(webhook).getByText('v1.34.4')).toBeInTheDocument();
  });

  test('one failing section does not hide the others', async () => {
    fakeApi(
      routes({
        'GET clusters/prod-a/namespaces': fail(503, 'cluster prod-a: Kubernetes API unreachable'),
        'GET clusters/prod-a/health': ok(
          health({
            webhook: { installed: false, ready: false, message: '' },
            kubernetes: { ok: false, message: 'dial tcp: i/o timeout' },
            lastCollection: job({
              state: 'failed',
              errorCount: 2,
              errors: ['2026-11-21: no data'],
              kept: [
                {
                  day: '2026-11-20',
                  storedWorkloads: 117,
                  foundWorkloads: 0,
                  keptWorkloads: 117,
                  reason: 'Prometheus answered no workloads for this day',
                },
              ],
            }),
          })
        ),
      })
    );
    renderPage(<Overview now={now} />, context(VIEWER));

    const cluster = await screen.findByTestId(ids.cluster('prod-a'));
    expect(await within(cluster).findByText('cluster prod-a: Kubernetes API unreachable')).toBeInTheDocument();
    expect(await within(cluster).findByText('137')).toBeInTheDocument();
    expect(await within(cluster).findByText('Not installed')).toBeInTheDocument();
    expect(within(cluster).getByText(/dial tcp: i\/o timeout/)).toBeInTheDocument();
    expect(within(cluster).getByText('2 errors: 2026-11-21: no data')).toBeInTheDocument();
    expect(
      within(cluster).getByText(
        'Days whose stored rows were kept: 1 (2026-11-20: Prometheus answered no workloads for this day)'
      )
    ).toBeInTheDocument();
  });

  test('publishing shows what it wrote, a whole-cluster error, or the deletions it held', async () => {
    fakeApi(routes({}));
    const { unmount } = renderPage(<Overview now={now} />, context(VIEWER));
    const webhook = await screen.findByTestId(ids.webhook);
    expect(
      await within(webhook).findByText('0 created, 1 updated, 0 deleted, 136 unchanged, 0 failed')
    ).toBeInTheDocument();
    unmount();

    fakeApi(
      routes({
        'GET clusters/prod-a/health': ok(
          health({
            lastPublish: publishStatus({
              result: {
                ...publishStatus().result,
                unchanged: 0,
                held: 137,
                heldReason: '137 of the 137 published policies…',
              },
            }),
          })
        ),
      })
    );
    const second = renderPage(<Overview now={now} />, context(VIEWER));
    expect(await screen.findByText(/137 deletions held: 137 of the 137 published policies/)).toBeInTheDocument();
    second.unmount();

    fakeApi(
      routes({
        'GET clusters/prod-a/health': ok(
          health({ lastPublish: publishStatus({ error: 'the CapacityPolicy CRD is not installed' }) })
        ),
      })
    );
    renderPage(<Overview now={now} />, context(VIEWER));
    expect(await screen.findByText('the CapacityPolicy CRD is not installed')).toBeInTheDocument();
    expect(screen.queryByText(/created, .* updated/)).not.toBeInTheDocument();
  });

  test('schedules that no backend can run say why, and schedules run elsewhere name the holder', async () => {
    const reason = 'the lease namespace kubedoor does not exist and this backend may not create it';
    fakeApi(routes({ 'GET clusters/prod-a/health': ok(health({ schedules: { state: 'blocked', reason } })) }));
    const first = renderPage(<Overview now={now} />, context(VIEWER));
    expect(await screen.findByText(`Scale and restart schedules cannot run: ${reason}`)).toBeInTheDocument();
    first.unmount();

    fakeApi(
      routes({ 'GET clusters/prod-a/health': ok(health({ schedules: { state: 'elsewhere', holder: 'grafana-1' } })) })
    );
    renderPage(<Overview now={now} />, context(VIEWER));
    expect(await screen.findByText('run by another backend (grafana-1)')).toBeInTheDocument();
    expect(screen.queryByText(/cannot run/)).not.toBeInTheDocument();
  });

  test('failing checks link their troubleshooting section; passing ones do not', async () => {
    const section = (anchor: string) =>
      `https://github.com/kubedoor/kubedoor-grafana/blob/HEAD/docs/troubleshooting.md#${anchor}`;
    fakeApi(routes());
    const first = renderPage(<Overview now={now} />, context(VIEWER));
    const healthy = await screen.findByTestId(ids.webhook);
    expect(await within(healthy).findByText('2/2 replicas ready')).toBeInTheDocument();
    expect(within(healthy).queryByRole('link', { name: /troubleshooting/i })).not.toBeInTheDocument();
    // Enforcement always links why a change is denied.
    expect(within(screen.getByTestId(ids.enforcement)).getByRole('link', { name: /troubleshooting/i })).toHaveAttribute(
      'href',
      section('a-change-is-denied-or-patched-unexpectedly')
    );
    first.unmount();

    fakeApi(
      routes({
        'GET clusters/prod-a/health': ok(
          health({
            webhook: {
              installed: true,
              ready: false,
              message: 'installed (failurePolicy Ignore); 0 of 2 replicas ready',
            },
            lastPublish: publishStatus({ error: 'the CapacityPolicy CRD is not installed' }),
            schedules: { state: 'blocked', reason: 'leases are forbidden' },
          })
        ),
      })
    );
    renderPage(<Overview now={now} />, context(VIEWER));
    const webhook = await screen.findByTestId(ids.webhook);
    await within(webhook).findByText(/0 of 2 replicas ready/);
    const hrefs = within(webhook)
      .getAllByRole('link', { name: /troubleshooting/i })
      .map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual([
      section('the-webhook-is-not-called'),
      section('the-policy-is-not-published'),
      section('schedules-do-not-run'),
    ]);
  });

  test('a cluster that never published says so', async () => {
    fakeApi(routes({ 'GET clusters/prod-a/health': ok(health({ lastPublish: null })) }));
    renderPage(<Overview now={now} />, context(VIEWER));
    expect(await screen.findByText('Policies not published by this backend yet')).toBeInTheDocument();
  });

  test('a cluster that never collected offers a backfill link', async () => {
    fakeApi(routes({ 'GET clusters/prod-a/health': ok(health({ lastCollection: null })) }));
    renderPage(<Overview now={now} />, context(VIEWER));
    expect(await screen.findByText('Nothing collected yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Collect past days' })).toHaveAttribute(
      'href',
      '/a/kubedoor-capacity-app/clusters?cluster=prod-a'
    );
  });
});
