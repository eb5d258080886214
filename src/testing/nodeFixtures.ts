import type { NodeLine, NodeView } from '../api/nodeTypes';

export const MI = 1024 * 1024;
export const r = (cpuMillis: number, memMi: number) => ({ cpuMillis, memBytes: memMi * MI });

export function nodeLine(over: Partial<NodeLine>): NodeLine {
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
export function nodeView(): NodeView {
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
      nodeLine({
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
      nodeLine({
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
      nodeLine({
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
      nodeLine({
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
