import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, VIEWER } from '../../testing/fixtures';
import { nodeView as view } from '../../testing/nodeFixtures';
import { renderPage } from '../../testing/render';
import Nodes from './Nodes';

const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/nodes?cluster=prod-a';
const ROUTE = 'GET clusters/prod-a/nodes';
const ids = testIds.nodes;
const rowNames = () =>
  within(screen.getByTestId(ids.table))
    .getAllByTestId(/kd-nodes-row-/)
    .map((e) => e.textContent);

describe('Nodes page', () => {
  test('shows each node’s bars against allocatable, the fragmentation and the drain estimate labelled as one', async () => {
    fakeApi({ [ROUTE]: ok(view()) });
    renderPage(<Nodes />, context(VIEWER), PATH);

    const cpuA = await screen.findByTestId(ids.cpu('a'));
    expect(within(cpuA).getByText('requested 2100m (53%)')).toBeInTheDocument();
    expect(within(cpuA).getByText('table 850m (21%)')).toBeInTheDocument();
    expect(within(cpuA).getByText('peak 620m (16%)')).toBeInTheDocument();
    expect(cpuA.querySelector('[data-bar="requested"]')).toHaveStyle({ width: '53%' });
    expect(within(screen.getByTestId(ids.mem('b'))).getByText('requested 5.1 GiB (64%)')).toBeInTheDocument();
    // A node without allocatable shows its sums without shares and empty bars.
    const memD = screen.getByTestId(ids.mem('d'));
    expect(within(memD).getByText('requested 0 MiB')).toBeInTheDocument();
    expect(memD.querySelector('[data-bar="requested"]')).toHaveStyle({ width: '0%' });

    const rowA = screen.getByTestId(ids.row('a')).closest('tr')!;
    expect(within(rowA).getByText('1480m · 2.6 GiB')).toBeInTheDocument();
    expect(within(rowA).getByText('#2 (52.5%) / #2 (19.5%)')).toBeInTheDocument();
    expect(screen.getByTestId(ids.drain('a'))).toHaveTextContent('drainable under the table (2 pods)');
    expect(screen.getByTestId(ids.drain('b'))).toHaveTextContent('1 of 2 pods find no room');
    expect(screen.getByTestId(ids.drain('d'))).toHaveTextContent('not judged (no allocatable)');
    expect(within(screen.getByTestId(ids.row('c')).closest('td')!).getByText('cordoned')).toBeInTheDocument();

    const frag = screen.getByTestId(ids.fragmentation);
    expect(
      within(frag).getByText('Typical pod: 400m · 1 GiB (the median table request of 5 pods, DaemonSets left out).')
    ).toBeInTheDocument();
    expect(
      within(frag).getByText('Now: 1400m · 2.6 GiB stranded of 4200m · 9.6 GiB free; 7 typical pods fit')
    ).toBeInTheDocument();
    const drainable = screen.getByTestId(ids.drainable);
    expect(within(drainable).getByText('Drainable under the table (estimate): a, c')).toBeInTheDocument();
    expect(within(drainable).getByText('estimate')).toBeInTheDocument();
    expect(screen.getByTestId(ids.summary)).toHaveTextContent('1 pods wait for a node');
  });

  test('orders nodes by requested share, by peak-used share or by name; unranked nodes last', async () => {
    const v = view();
    // b is the fullest requested; at the peak a, then c.
    v.nodes[0].rankPeak = 1;
    v.nodes[1].rankPeak = 3;
    v.nodes[2].rankPeak = 2;
    fakeApi({ [ROUTE]: ok(v) });
    renderPage(<Nodes />, context(VIEWER), PATH);
    await screen.findByTestId(ids.table);
    expect(rowNames()).toEqual(['b', 'a', 'c', 'd']);
    await user.click(screen.getByRole('radio', { name: 'Peak-used share' }));
    await waitFor(() => expect(rowNames()).toEqual(['a', 'c', 'b', 'd']));
    await user.click(screen.getByRole('radio', { name: 'Name' }));
    await waitFor(() => expect(rowNames()).toEqual(['a', 'b', 'c', 'd']));
  });

  test('says why the nodes cannot be read', async () => {
    fakeApi({ [ROUTE]: fail(503, 'cluster prod-a refused the backend’s identity') });
    renderPage(<Nodes />, context(VIEWER), PATH);
    expect(await screen.findByText('Could not load the nodes')).toBeInTheDocument();
    expect(screen.getByText(/refused the backend’s identity/)).toBeInTheDocument();
  });

  test('a cluster without nodes says so', async () => {
    fakeApi({ [ROUTE]: ok({ ...view(), nodes: [] }) });
    renderPage(<Nodes />, context(VIEWER), PATH);
    expect(await screen.findByTestId(ids.empty)).toBeInTheDocument();
  });
});
