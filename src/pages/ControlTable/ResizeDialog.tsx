import React, { useState } from 'react';
import { t } from '../../i18n';
import { Alert, Button, Field, Icon, Input, Modal, Stack, Switch, Text } from '@grafana/ui';

import { toApiError } from '../../api/client';
import { type PodResize, type PodResources, resizeNow, type ResizeResult } from '../../api/resize';
import type { ControlContainer, ControlRow } from '../../api/types';
import { kindOf, kindParam, workloadTarget } from '../../api/workloadKind';
import { formatMiB, formatMillis, UNSET } from '../../components/format';
import { parseInteger } from './editForm';

/** The dialog's test ids (its own, so the shared list stays small). */
export const resizeIds = {
  open: (ns: string, wl: string, kind?: string) => `data-testid kd-resize-open-${ns}-${wl}-${kind ?? 'Deployment'}`,
  dialog: 'data-testid kd-resize-dialog',
  pause: 'data-testid kd-resize-pause',
  fallback: 'data-testid kd-resize-fallback',
  apply: 'data-testid kd-resize-apply',
  results: 'data-testid kd-resize-results',
  pod: (pod: string) => `data-testid kd-resize-pod-${pod}`,
};

const MAX_PAUSE = 60;

interface Props {
  row: ControlRow;
  onClose: () => void;
}

/** "CPU request 250m, memory limit 1 GiB": the values the row sets; unset ones stay as each pod has them. */
export function describeTarget(c: ControlContainer): string {
  const parts: string[] = [];
  const add = (label: string, v: string) => v !== UNSET && parts.push(`${label} ${v}`);
  add(t('control.resize.cpu-request', 'CPU request'), formatMillis(c.cpuRequestMillis));
  add(t('control.resize.cpu-limit', 'CPU limit'), formatMillis(c.cpuLimitMillis));
  add(t('control.resize.mem-request', 'memory request'), formatMiB(c.memRequestMiB));
  add(t('control.resize.mem-limit', 'memory limit'), formatMiB(c.memLimitMiB));
  return parts.length ? parts.join(', ') : t('control.resize.nothing-set', 'nothing set: left as it is');
}

/** "app 100m/256Mi → 250m/300Mi": a pod's requests before and after. */
function describeChange(before: PodResources[] = [], after: PodResources[] = []): string {
  const req = (r?: PodResources) => `${r?.cpuRequest ?? UNSET}/${r?.memRequest ?? UNSET}`;
  return after
    .map((a) => {
      const b = before.find((x) => x.name === a.name);
      return req(b) === req(a) ? '' : `${a.name} ${req(b)} → ${req(a)}`;
    })
    .filter(Boolean)
    .join('; ');
}

const OUTCOME_ICON: Record<string, 'check' | 'exclamation-triangle' | 'clock-nine' | 'minus'> = {
  resized: 'check',
  requested: 'clock-nine',
  unchanged: 'minus',
};

function PodLine({ p }: { p: PodResize }) {
  const bad = p.outcome === 'skipped' || p.outcome === 'failed' || p.outcome === 'not run';
  const change = describeChange(p.before, p.after);
  return (
    <div data-testid={resizeIds.pod(p.pod)}>
      <Text color={bad ? 'error' : p.outcome === 'unchanged' ? 'secondary' : 'success'}>
        <Icon name={OUTCOME_ICON[p.outcome] ?? 'exclamation-triangle'} /> {p.pod}: {p.outcome}
        {change ? ` (${change})` : ''}
        {p.reason ? ` — ${p.reason}` : ''}
      </Text>
      {(p.kept ?? []).map((k) => (
        <Text key={k} color="warning" variant="bodySmall" element="p">
          {k}
        </Text>
      ))}
    </div>
  );
}

/** Per-pod results of one workload's resize. */
export function ResizeResults({ result }: { result: ResizeResult }) {
  const pods = result.after?.pods ?? [];
  return (
    <div data-testid={resizeIds.results}>
      <Text element="h5">
        {result.ok
          ? t('control.resize.all-ok', 'Applied to {{count}} pods', { count: pods.length })
          : t('control.resize.some-failed', 'Not every pod was resized')}
      </Text>
      {result.after && (
        <Text color="secondary" variant="bodySmall" element="p">
          {t('control.resize.budget', 'At most {{n}} at once ({{from}})', {
            n: result.after.budget.inFlight,
            from: result.after.budget.from,
          })}
        </Text>
      )}
      {!result.ok && result.error && <Text color="error">{result.error}</Text>}
      {result.after?.fallback && (
        <Text color={result.after.fallback.restarted ? 'success' : 'warning'} element="p">
          {t('control.resize.fallback-result', 'Restart fallback: {{reason}}', {
            reason: result.after.fallback.reason,
          })}
        </Text>
      )}
      <Stack direction="column" gap={0.5}>
        {pods.map((p) => (
          <PodLine key={p.pod} p={p} />
        ))}
      </Stack>
    </div>
  );
}

/** "Apply now (in place)": confirm, then resize the workload's running pods to the row's values. */
export function ResizeDialog({ row, onClose }: Props) {
  const [pause, setPause] = useState('5');
  const [fallback, setFallback] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<ResizeResult>();
  const pauseSeconds = parseInteger(pause, 0, MAX_PAUSE);
  const target = workloadTarget(row.namespace, row.workload, kindOf(row));

  const apply = async () => {
    if (pauseSeconds === undefined || busy) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await resizeNow(
          { cluster: row.cluster, namespace: row.namespace, workload: row.workload, kind: kindParam(row.kind) },
          pauseSeconds,
          fallback
        )
      );
    } catch (err) {
      setError(toApiError(err).message);
    }
    setBusy(false);
  };

  return (
    <Modal title={t('control.resize.title', 'Apply {{target}} now, in place', { target })} isOpen onDismiss={onClose}>
      <div data-testid={resizeIds.dialog}>
        <Stack direction="column" gap={1}>
          <Text>
            {t(
              'control.resize.what',
              "Each running pod's containers are resized without a restart (Kubernetes 1.33 or later), one pod at a time, never more at once than the workload's PodDisruptionBudget allows. Pods the cluster refuses or cannot fit are skipped and reported."
            )}
          </Text>
          <Text element="h6">{t('control.resize.will-change', 'Pods will be set to')}</Text>
          <ul>
            {(row.containers ?? []).map((c) => (
              <li key={c.name}>
                <Text>
                  {c.name}: {describeTarget(c)}
                </Text>
              </li>
            ))}
          </ul>
          <Text color="secondary" variant="bodySmall">
            {t(
              'control.resize.memory-rule',
              "Memory is never lowered below the container's last stored peak; such values are kept and reported."
            )}
          </Text>
          <Alert severity="info" title={t('control.resize.template-title', 'The workload itself is not changed')}>
            {t(
              'control.resize.template-help',
              'With the template target, the workload template still carries the old values until the next rollout, when the webhook applies the table anyway. With the pods target, the pods are the truth.'
            )}
          </Alert>
          {!result && (
            <Field
              label={t('control.resize.pause', 'Seconds between pods')}
              invalid={pauseSeconds === undefined}
              error={t('control.resize.pause-error', 'A whole number from 0 to {{max}}', { max: MAX_PAUSE })}
            >
              <Input
                data-testid={resizeIds.pause}
                width={12}
                value={pause}
                onChange={(e) => setPause(e.currentTarget.value)}
              />
            </Field>
          )}
          {!result && (
            <Field
              label={t('control.resize.fallback', 'Restart pods that cannot be resized')}
              description={t(
                'control.resize.fallback-help',
                "Only inside the namespace's maintenance window (annotation kubedoor.io/maintenance-window); the rollout gives new pods the table's values."
              )}
            >
              <Switch
                data-testid={resizeIds.fallback}
                value={fallback}
                onChange={(e) => setFallback(e.currentTarget.checked)}
              />
            </Field>
          )}
          {error && (
            <Alert severity="error" title={t('control.resize.failed', 'Not applied')}>
              {error}
            </Alert>
          )}
          {result && <ResizeResults result={result} />}
        </Stack>
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onClose}>
            {result ? t('common.close', 'Close') : t('common.cancel', 'Cancel')}
          </Button>
          {!result && (
            <Button data-testid={resizeIds.apply} disabled={pauseSeconds === undefined || busy} onClick={apply}>
              {busy ? t('control.resize.applying', 'Applying...') : t('control.resize.apply', 'Apply now')}
            </Button>
          )}
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}
