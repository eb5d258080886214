// The edit dialog's values as a backtest proposal: what the row would enforce once saved.
import type { BacktestProposal } from '../../api/decideTypes';
import type { ControlRow } from '../../api/types';
import { replicasOf } from '../../api/workloadKind';
import { CONTAINER_NUMBER_KEYS, type ControlForm, hasReplicasForm, parseInteger } from './editForm';

/**
 * The proposal the form makes, or undefined while a value does not parse. Manual replicas -1
 * fall back to what the row would enforce without them (recommended, else observed); a value
 * handed back to the collection, or left empty, runs as stored (-1).
 */
export function proposalFromForm(form: ControlForm, row?: ControlRow): BacktestProposal | undefined {
  // A DaemonSet has no replicas: -1 replays as many pods as ran.
  const manual = hasReplicasForm(form) ? parseInteger(form.replicasManual, -1, 100000) : -1;
  if (manual === undefined) {
    return undefined;
  }
  let replicas = manual;
  const r = row ? replicasOf(row) : undefined;
  if (manual < 0 && r) {
    replicas = r.recommended >= 0 ? r.recommended : r.observed;
  }
  const containers: BacktestProposal['containers'] = [];
  for (const c of form.containers) {
    const values = { cpuRequestMillis: -1, cpuLimitMillis: -1, memRequestMiB: -1, memLimitMiB: -1 };
    for (const key of CONTAINER_NUMBER_KEYS) {
      if (c.reset?.includes(key) || c[key].trim() === '') {
        continue;
      }
      const n = parseInteger(c[key], -1, 16 * 1024 * 1024 * 1024);
      if (n === undefined) {
        return undefined;
      }
      values[key] = n;
    }
    containers.push({ name: c.name, ...values });
  }
  return { replicas: replicas < 0 ? -1 : replicas, containers };
}
