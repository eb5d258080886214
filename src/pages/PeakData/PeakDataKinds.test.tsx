import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fakeApi, ok } from '../../testing/fakeApi';
import { context, peakRow, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import PeakData from './PeakData';

// Peak rows carry kind (absent = Deployment); one workload is named by kind too.
const user = userEventLib.setup({ delay: null });
const ids = testIds.peaks;
const now = () => Date.parse('2026-11-22T04:00:00Z');
const BASE = '/a/kubedoor-capacity-app/peaks';

describe('Peak data page with workload kinds', () => {
  test('the by-day table shows each row kind, and the kind filter sends kind and hides other kinds', async () => {
    const rows = [
      peakRow(),
      peakRow({ workload: 'db', kind: 'StatefulSet' }),
      peakRow({ workload: 'agent', kind: 'DaemonSet' }),
    ];
    const api = fakeApi({ 'GET peaks': ok({ items: rows, total: 3 }) });
    renderPage(<PeakData now={now} />, context(VIEWER), BASE);

    const table = await screen.findByTestId(ids.table);
    expect(within(table).getByText('Deploy')).toBeInTheDocument();
    expect(within(table).getByText('STS')).toBeInTheDocument();
    expect(within(table).getByText('DS')).toBeInTheDocument();
    expect(api.calls('GET peaks')[0].query.has('kind')).toBe(false);

    await user.click(within(screen.getByTestId(testIds.kind.filter)).getByRole('radio', { name: 'StatefulSet' }));
    await waitFor(() => expect(within(screen.getByTestId(ids.table)).queryByText('DS')).not.toBeInTheDocument());
    expect(within(screen.getByTestId(ids.table)).getByText('db')).toBeInTheDocument();
    expect(within(screen.getByTestId(ids.table)).queryByText('checkout')).not.toBeInTheDocument();
    expect(api.calls('GET peaks').at(-1)!.query.get('kind')).toBe('StatefulSet');
  });

  test("one StatefulSet's series is asked for with ?kind=StatefulSet and its dashboard link passes the kind", async () => {
    const api = fakeApi({ 'GET peaks/series': ok({ items: [peakRow({ workload: 'db', kind: 'StatefulSet' })] }) });
    renderPage(
      <PeakData now={now} />,
      context(VIEWER),
      `${BASE}?view=workload&namespace=shop&workload=db&kind=StatefulSet`
    );

    await screen.findByTestId(ids.table);
    expect(api.calls('GET peaks/series')[0].query.get('kind')).toBe('StatefulSet');
    expect(screen.getByRole('link', { name: /Workload dashboard/ }).getAttribute('href')).toContain(
      'var-kind=StatefulSet'
    );
  });

  test('one workload without a kind is a Deployment: no kind parameter is sent', async () => {
    const api = fakeApi({ 'GET peaks/series': ok({ items: [peakRow()] }) });
    renderPage(<PeakData now={now} />, context(VIEWER), `${BASE}?view=workload&namespace=shop&workload=checkout`);

    await screen.findByTestId(ids.table);
    expect(api.calls('GET peaks/series')[0].query.has('kind')).toBe(false);
    expect(screen.getByRole('link', { name: /Workload dashboard/ }).getAttribute('href')).toContain(
      'var-kind=Deployment'
    );
  });
});
