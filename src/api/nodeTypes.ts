// GET v1/clusters/{cluster}/nodes (docs/api.md "Nodes"): CPU in millicores, memory in bytes.

export interface Resources {
  cpuMillis: number;
  memBytes: number;
}

export interface Share {
  cpu: number;
  mem: number;
  max: number;
}

/** The first-fit drain estimate of one node alone. */
export interface Drain {
  possible: boolean;
  now: boolean;
  underTable: boolean;
  movablePods: number;
  unplacedNow: number;
  unplacedTable: number;
  tableFreesNode: boolean;
}

export interface NodeLine {
  name: string;
  unschedulable: boolean;
  hasAllocatable: boolean;
  allocatable: Resources;
  requested: Resources;
  table: Resources;
  peak: Resources;
  unusedAtPeak: Resources;
  pods: number;
  daemonSetPods: number;
  controlledPods: number;
  podsWithoutPeak: number;
  requestedShare: Share | null;
  peakShare: Share | null;
  rankRequested: number;
  rankPeak: number;
  drain: Drain;
}

export interface Fragmentation {
  free: Resources;
  stranded: Resources;
  typicalPodsFit: number;
}

export interface NodeView {
  cluster: string;
  from: string;
  to: string;
  nodes: NodeLine[];
  totals: {
    allocatable: Resources;
    requested: Resources;
    table: Resources;
    peak: Resources;
    unusedAtPeak: Resources;
    pods: number;
  };
  typicalPod: Resources;
  typicalPodFrom: number;
  fragmentation: Fragmentation;
  fragmentationTable: Fragmentation;
  drainable: string[];
  pendingPods: number;
}
