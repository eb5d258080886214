import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, pending } from '../../testing/fakeApi';
import { context, peakRow, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import PeakData from './PeakData';

const user = userEventLib.setup({ delay: null });
const ids = testIds.peaks;
// 2026-11-22 12:00 in Shanghai: "yesterday" there is 2026-11-21.
const now = () => Date.parse('2026-11-22T04:00:00Z');
const MiB = 1024 * 1024;

describe('Peak data page', () => {
  test("loads yesterday (in the cluster's zone) by default and shows a loading state first", async () => {
    const list = pending();
    const api = fakeApi({ 'GET peaks': list.reply });
    renderPage(<PeakData now={now} />, context(VIEWER), '/a/kubedoor-capacity-app/peaks');

    expect(screen.getByText('Loading peak data...')).toBeInTheDocument();
    list.resolve({ items: [peakRow()], total: 1 });
    expect(await screen.findByTestId(ids.table)).toBeInTheDocument();
    expect(Object.fromEntries(api.calls('GET peaks')[0].query)).toEqual({
      cluster: 'prod-a',
      from: '2026-11-21',
      to: '2026-11-21',
      limit: '100',
      offset: '0',
    });
  });

  test('flags waste (under half the request used) and requests below the peak', async () => {
    fakeApi({
      'GET peaks': ok({
        items: [
          peakRow({ workload: 'idle', cpuMax: 0.1, cpuRequest: 1, memMax: 400 * MiB, memRequest: 512 * MiB }),
          peakRow({ workload: 'hot', cpuMax: 0.9, cpuRequest: 0.5, oomKills: 2 }),
          peakRow({ workload: 'hot', container: '', cpuRequest: -1 }),
          peakRow({ workload: 'nolimit', cpuLimit: 0, cpuRequest: 0.25 }),
        ],
        total: 4,
      }),
    });
    renderPage(<PeakData now={now} />, context(VIEWER), '/a/kubedoor-capacity-app/peaks');

    const table = await screen.findByTestId(ids.table);
    const idle = within(table).getByText('idle').closest('tr')!;
    expect(within(idle).getByText('10% · waste')).toBeInTheDocument();
    expect(within(idle).getByText('78.1%')).toBeInTheDocument();
    const hot = within(table).getAllByText('hot')[0].closest('tr')!;
    expect(within(hot).getByText('180% · above request')).toBeInTheDocument();
    expect(within(hot).getByText('2')).toBeInTheDocument();
    expect(within(table).getByText('pod total')).toBeInTheDocument();
    // A limit of 0 is no limit at all.
    expect(within(within(table).getByText('nolimit').closest('tr')!).getByText('250m / —')).toBeInTheDocument();
  });

  test("pods show the Ready range and, where collected, the Deployment's desired replicas", async () => {
    fakeApi({
      'GET peaks': ok({
        items: [
          peakRow({ workload: 'rolled', podsMin: 0, podsMax: 3, replicasDesired: 3 }),
          peakRow({ workload: 'older', podsMin: 2, podsMax: 2, replicasDesired: null }),
        ],
        total: 2,
      }),
    });
    renderPage(<PeakData now={now} />, context(VIEWER), '/a/kubedoor-capacity-app/peaks');

    const table = await screen.findByTestId(ids.table);
    expect(within(table).getByText('0–3 (desired 3)')).toBeInTheDocument();
    expect(within(table).getByText('2')).toBeInTheDocument();
  });

  test('an empty range says where data comes from', async () => {
    fakeApi({ 'GET peaks': ok({ items: null, total: 0 }) });
    renderPage(<PeakData now={now} />, context(VIEWER), '/a/kubedoor-capacity-app/peaks');
    const empty = await screen.findByTestId(ids.empty);
    expect(within(empty).getByText('No peak data from 2026-11-21 to 2026-11-21')).toBeInTheDocument();
  });

  test('an error and a refusal are shown with the backend reason', async () => {
    fakeApi({ 'GET peaks': fail(503, 'store unavailable: connection refused') });
    const { unmount } = renderPage(<PeakData now={now} />, context(VIEWER), '/a/kubedoor-capacity-app/peaks');
    expect(await screen.findByText('store unavailable: connection refused')).toBeInTheDocument();
    unmount();

    fakeApi({ 'GET peaks': fail(403, 'read peak data requires the Viewer role') });
    renderPage(<PeakData now={now} />, context(undefined), '/a/kubedoor-capacity-app/peaks');
    expect(await screen.findByTestId(testIds.common.forbidden)).toBeInTheDocument();
  });

  test('one workload over days reads its series, container by container', async () => {
    const api = fakeApi({
      'GET peaks/series': ok({
        items: [
          peakRow({ day: '2026-11-20', container: '' }),
          peakRow({ day: '2026-11-21', container: '' }),
          peakRow({ day: '2026-11-21', container: 'app', cpuMax: 0.2 }),
          peakRow({ day: '2026-11-21', container: 'istio-proxy', cpuMax: 0.04, cpuRequest: 0.1 }),
        ],
      }),
    });
    renderPage(
      <PeakData now={now} />,
      context(VIEWER),
      '/a/kubedoor-capacity-app/peaks?view=workload&namespace=shop&workload=checkout'
    );

    const table = await screen.findByTestId(ids.table);
    expect(within(table).getAllByRole('row')).toHaveLength(3); // header + two pod-total days
    expect(Object.fromEntries(api.calls('GET peaks/series')[0].query)).toEqual({
      cluster: 'prod-a',
      namespace: 'shop',
      workload: 'checkout',
      from: '2026-11-08',
      to: '2026-11-21',
    });
    await user.click(screen.getByRole('radio', { name: 'istio-proxy' }));
    await waitFor(() => expect(within(screen.getByTestId(ids.table)).getAllByRole('row')).toHaveLength(2));
    expect(screen.getByText('40% · waste')).toBeInTheDocument();
  });

  test('paging asks for the next offset', async () => {
    const api = fakeApi({
      'GET peaks': (_req, q) => ok({ items: [peakRow({ workload: `w${q.get('offset')}` })], total: 250 }),
    });
    renderPage(<PeakData now={now} />, context(VIEWER), '/a/kubedoor-capacity-app/peaks');
    await screen.findByText('w0');
    await user.click(screen.getByRole('button', { name: '2' }));
    expect(await screen.findByText('w100')).toBeInTheDocument();
    expect(api.calls('GET peaks').map((c) => c.query.get('offset'))).toEqual(['0', '100']);
  });
});
