import { request } from './client';
import type { BacktestRequest, BacktestResult, EnforcementPreview } from './decideTypes';
import type { WorkloadRef } from './types';
import { apiUrl, seg } from './url';
import { kindParam } from './workloadKind';

/** POST v1/control/{cluster}/{namespace}/{workload}/backtest?kind=: replays a row against its peak history. */
export function backtestRow(w: WorkloadRef, body: BacktestRequest): Promise<BacktestResult> {
  return request({
    url: apiUrl(`control/${seg(w.cluster, w.namespace, w.workload)}/backtest`, { kind: kindParam(w.kind) }),
    method: 'POST',
    data: body,
  });
}

/** GET v1/clusters/{cluster}/preview?namespace=: what enforcing the table would change. */
export function previewEnforcement(cluster: string, namespace?: string): Promise<EnforcementPreview> {
  return request({ url: apiUrl(`clusters/${seg(cluster)}/preview`, { namespace }), method: 'GET' });
}
