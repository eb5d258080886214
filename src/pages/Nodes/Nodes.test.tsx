import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import type { NodeLine, NodeView } from '../../api/nodeTypes';
import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok } from '../../testing/fakeApi';
import { context, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Nodes from './Nodes';

const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/nodes?cluster=prod-a';
const ROUTE = 'GET clusters/prod-a/nodes';
const ids = testIds.nodes;
const MI = 1024 * 1024;
const r = (cpuMillis: number, memMi: number) => ({ cpuMillis, memBytes: memMi * MI });

function line(over: Partial<NodeLine>): NodeLine {
  return {
    name: 'x',
    unschedulable: false,
    hasAllocatable: true,
    allocatable: r(4000, 8192),
    requested: r(0, 0),
    table: r(0, 0),
    peak: r(0, 0),
    unusedAtPeak: r(0, 0),
    pods: 0,
    daemonSetPods: 0,
    controlledPods: 0,
    podsWithoutPeak: 0,
    requestedShare: { cpu: 0, mem: 0, max: 0 },
    peakShare: { cpu: 0, mem: 0, max: 0 },
    rankRequested: 1,
    rankPeak: 1,
    drain: {
      possible: true,
      now: true,
      underTable: true,
      movablePods: 0,
      unplacedNow: 0,
      unplacedTable: 0,
      tableFreesNode: false,
    },
    ...over,
  };
}

// The worked example of pkg/nodes (compute_test.go "fleet"), as the backend answers it.
function view(): NodeView {
  const frag = (free: [number, number], stranded: [number, number], fit: number) => ({
    free: r(...free),
    stranded: r(...stranded),
    typicalPodsFit: fit,
  });
  return {
    cluster: 'prod-a',
    from: '2026-11-25',
    to: '2026-12-04',
    nodes: [
      line({
        name: 'a',
        requested: r(2100, 4224),
        table: r(850, 2176),
        peak: r(620, 1600),
        unusedAtPeak: r(1480, 2624),
        pods: 3,
        daemonSetPods: 1,
        controlledPods: 3,
        requestedShare: { cpu: 0.525, mem: 0.515625, max: 0.525 },
        peakShare: { cpu: 0.155, mem: 0.1953125, max: 0.1953125 },
        rankRequested: 2,
        rankPeak: 2,
        drain: {
          possible: true,
          now: false,
          underTable: true,
          movablePods: 2,
          unplacedNow: 1,
          unplacedTable: 0,
          tableFreesNode: true,
        },
      }),
      line({
        name: 'b',
        requested: r(2600, 5248),
        table: r(1950, 3200),
        peak: r(1520, 3392),
        pods: 3,
        requestedShare: { cpu: 0.65, mem: 0.640625, max: 0.65 },
        peakShare: { cpu: 0.38, mem: 0.4140625, max: 0.4140625 },
        rankRequested: 1,
        rankPeak: 1,
        drain: {
          possible: true,
          now: false,
          underTable: false,
          movablePods: 2,
          unplacedNow: 1,
          unplacedTable: 1,
          tableFreesNode: false,
        },
      }),
      line({
        name: 'c',
        allocatable: r(1500, 4096),
        requested: r(600, 1152),
        table: r(550, 1152),
        peak: r(20, 64),
        pods: 2,
        unschedulable: true,
        requestedShare: { cpu: 0.4, mem: 0.28125, max: 0.4 },
        peakShare: { cpu: 0.0133, mem: 0.015625, max: 0.015625 },
        rankRequested: 3,
        rankPeak: 3,
      }),
      line({
        name: 'd',
        hasAllocatable: false,
        allocatable: r(0, 0),
        requestedShare: null,
        peakShare: null,
        rankRequested: 0,
        rankPeak: 0,
        drain: {
          possible: false,
          now: false,
          underTable: false,
          movablePods: 0,
          unplacedNow: 0,
          unplacedTable: 0,
          tableFreesNode: false,
        },
      }),
    ],
    totals: {
      allocatable: r(9500, 20480),
      requested: r(5400, 10752),
      table: r(3400, 6656),
      peak: r(2180, 5120),
      unusedAtPeak: r(2720, 4608),
      pods: 9,
    },
    typicalPod: r(400, 1024),
    typicalPodFrom: 5,
    fragmentation: frag([4200, 9856], [1400, 2688], 7),
    fragmentationTable: frag([6150, 13952], [1750, 2688], 11),
    drainable: ['a', 'c'],
    pendingPods: 1,
  };
}

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
