// Types of the action and schedule routes (docs/api.md "Actions", "Schedules"); types.ts re-exports them.

import type { WorkloadRef } from './types';
import type { WorkloadKind } from './workloadKind';

// ---- Actions -----------------------------------------------------------------------------

export interface ActionResult {
  cluster: string;
  namespace: string;
  workload: string;
  /** Absent from older backends: Deployment. */
  kind?: WorkloadKind;
  ok: boolean;
  error?: string;
  before?: unknown;
  after?: unknown;
}

/** A DaemonSet has no replicas: scale items are Deployments and StatefulSets only. */
export interface ScaleItem extends WorkloadRef {
  replicas: number;
}

export interface ScaleRequest {
  items: ScaleItem[];
  temporary: boolean;
  intervalSeconds: number;
}

export interface RestartRequest {
  items: WorkloadRef[];
  intervalSeconds: number;
}

export interface ActionResults {
  results: ActionResult[] | null;
}

// ---- Schedules ---------------------------------------------------------------------------

export type ScheduleAction = 'scale' | 'restart' | 'resize' | 'collect';
export type ScheduleKind = 'once' | 'cron';

export interface ScheduleItem {
  namespace: string;
  workload: string;
  /** Sent only for non-Deployments (absent = Deployment); never `scale` a DaemonSet. */
  kind?: WorkloadKind;
  replicas?: number;
}

export interface Schedule {
  id: string;
  cluster: string;
  name: string;
  action: ScheduleAction;
  kind: ScheduleKind;
  runAt: string | null;
  cron: string;
  timeZone: string;
  items: ScheduleItem[] | null;
  temporary: boolean;
  intervalSeconds: number;
  /** collect only: days to collect (1..400, default 1). */
  days?: number;
  enabled: boolean;
  nextRunAt: string | null;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** POST v1/schedules body: a Schedule without what the backend assigns. */
export type ScheduleInput = Omit<
  Schedule,
  'id' | 'version' | 'nextRunAt' | 'createdBy' | 'createdAt' | 'updatedBy' | 'updatedAt' | 'items'
> & { items: ScheduleItem[] };

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'missed';

export interface Run {
  id: string;
  scheduleId: string;
  scheduledFor: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  error: string;
  results: ActionResult[] | null;
}
