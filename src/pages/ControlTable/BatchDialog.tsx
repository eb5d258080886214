import React, { useState } from 'react';
import { t } from '../../i18n';
import { Alert, Button, Field, Icon, Input, Modal, RadioButtonGroup, Stack, Switch, Text } from '@grafana/ui';

import { restartWorkloads, scaleWorkloads } from '../../api/actions';
import { toApiError } from '../../api/client';
import type { ActionResult, ControlRow } from '../../api/types';
import { kindOf, kindParam, replicasOf, workloadTarget } from '../../api/workloadKind';
import { testIds } from '../../components/testIds';
import { parseInteger } from './editForm';

export type BatchKind = 'scale' | 'restart';

interface Props {
  kind: BatchKind;
  rows: ControlRow[];
  onClose: () => void;
  /** The batch ran (some items may have failed); the table should reload. */
  onDone: () => void;
}

// The API's bounds: longer or larger work belongs in a schedule.
const MAX_INTERVAL = 60;
export const MAX_BATCH = 100;

/** Rows a scale can name: DaemonSets have no replicas, so only restarts reach them. */
export const canScaleRow = (r: ControlRow) => replicasOf(r) !== undefined;

/** Scale or restart several workloads one after the other, with a pause between them. */
export function BatchDialog({ kind, rows: selected, onClose, onDone }: Props) {
  const rows = kind === 'scale' ? selected.filter(canScaleRow) : selected;
  const leftOut = selected.length - rows.length;
  const [replicasFrom, setReplicasFrom] = useState<'table' | 'fixed'>('table');
  const [replicas, setReplicas] = useState('1');
  const [temporary, setTemporary] = useState(false);
  const [interval, setInterval] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [results, setResults] = useState<ActionResult[]>();

  const intervalSeconds = parseInteger(interval, 0, MAX_INTERVAL);
  const fixedReplicas = parseInteger(replicas, 0, 10000);
  const tooMany = rows.length > MAX_BATCH;
  const invalid =
    tooMany ||
    intervalSeconds === undefined ||
    (kind === 'scale' && replicasFrom === 'fixed' && fixedReplicas === undefined);

  const run = async () => {
    if (invalid || busy) {
      return;
    }
    setBusy(true);
    setError(undefined);
    const refs = rows.map((r) => ({
      cluster: r.cluster,
      namespace: r.namespace,
      workload: r.workload,
      kind: kindParam(r.kind),
    }));
    try {
      const res =
        kind === 'scale'
          ? await scaleWorkloads({
              items: rows.map((r, i) => ({
                ...refs[i],
                replicas: replicasFrom === 'fixed' ? fixedReplicas! : replicasOf(r)!.effective,
              })),
              temporary: replicasFrom === 'fixed' && temporary,
              intervalSeconds: intervalSeconds!,
            })
          : await restartWorkloads({ items: refs, intervalSeconds: intervalSeconds! });
      setResults(res.results ?? []);
      onDone();
    } catch (err) {
      setError(toApiError(err).message);
    }
    setBusy(false);
  };

  const title =
    kind === 'scale'
      ? t('control.batch.scale-title', 'Scale {{count}} workloads', { count: rows.length })
      : t('control.batch.restart-title', 'Restart {{count}} workloads', { count: rows.length });

  return (
    <Modal title={title} isOpen onDismiss={onClose}>
      <div data-testid={testIds.control.batchDialog}>
        <Text color="secondary">{rows.map((r) => workloadTarget(r.namespace, r.workload, kindOf(r))).join(', ')}</Text>
        {leftOut > 0 && (
          <Alert
            severity="info"
            title={t('control.batch.daemonsets-left-out', '{{count}} DaemonSets left out: they have no replicas', {
              count: leftOut,
            })}
          >
            {t('control.batch.daemonsets-restart', 'Restart them instead.')}
          </Alert>
        )}
        {tooMany && (
          <Alert
            severity="warning"
            title={t('control.batch.too-many', 'At most {{max}} workloads at once', { max: MAX_BATCH })}
          >
            {t('control.batch.too-many-help', 'Select fewer, or create a schedule for larger batches.')}
          </Alert>
        )}
        {kind === 'scale' && (
          <>
            <Field label={t('control.batch.replicas-from', 'Replicas')}>
              <RadioButtonGroup
                options={[
                  {
                    label: t('control.batch.from-table', "Each row's control-table replicas"),
                    value: 'table' as const,
                  },
                  { label: t('control.batch.fixed', 'One number for all'), value: 'fixed' as const },
                ]}
                value={replicasFrom}
                onChange={setReplicasFrom}
              />
            </Field>
            {replicasFrom === 'fixed' && (
              <>
                <Field
                  label={t('control.batch.replicas', 'Replicas for every workload')}
                  invalid={fixedReplicas === undefined}
                  error={t('control.batch.replicas-error', 'A whole number from 0 to 10000')}
                >
                  <Input
                    data-testid={testIds.control.batchReplicas}
                    width={12}
                    value={replicas}
                    onChange={(e) => setReplicas(e.currentTarget.value)}
                  />
                </Field>
                <Field
                  label={t('control.batch.temporary', 'Temporary')}
                  description={t(
                    'control.batch.temporary-help',
                    'Scale now without changing the control table (the webhook lets it through for 5 minutes).'
                  )}
                >
                  <Switch value={temporary} onChange={(e) => setTemporary(e.currentTarget.checked)} />
                </Field>
              </>
            )}
          </>
        )}
        <Field
          label={t('control.batch.interval', 'Seconds between workloads')}
          invalid={intervalSeconds === undefined}
          error={t('control.batch.interval-error', 'A whole number from 0 to {{max}}', { max: MAX_INTERVAL })}
        >
          <Input
            data-testid={testIds.control.batchInterval}
            width={12}
            value={interval}
            onChange={(e) => setInterval(e.currentTarget.value)}
          />
        </Field>

        {error && (
          <Alert severity="error" title={t('control.batch.failed', 'The batch was not run')}>
            {error}
          </Alert>
        )}
        {results && <ActionResults results={results} />}

        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onClose}>
            {results ? t('common.close', 'Close') : t('common.cancel', 'Cancel')}
          </Button>
          {!results && (
            <Button
              data-testid={testIds.control.batchRun}
              disabled={invalid || busy || rows.length === 0}
              onClick={run}
            >
              {busy
                ? t('control.batch.running', 'Running...')
                : kind === 'scale'
                  ? t('control.batch.scale', 'Scale')
                  : t('control.batch.restart', 'Restart')}
            </Button>
          )}
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}

/** One line per item: OK or its error. */
export function ActionResults({ results }: { results: ActionResult[] }) {
  const failed = results.filter((r) => !r.ok).length;
  return (
    <div data-testid={testIds.control.results}>
      <Text element="h5">
        {failed === 0
          ? t('control.results.all-ok', 'All {{count}} done', { count: results.length })
          : t('control.results.some-failed', '{{failed}} of {{count}} failed', { failed, count: results.length })}
      </Text>
      <Stack direction="column" gap={0.5}>
        {results.map((r) => (
          <Text key={workloadTarget(r.namespace, r.workload, r.kind)} color={r.ok ? 'success' : 'error'}>
            <Icon name={r.ok ? 'check' : 'exclamation-triangle'} /> {workloadTarget(r.namespace, r.workload, r.kind)}
            {r.ok ? '' : `: ${r.error ?? ''}`}
          </Text>
        ))}
      </Stack>
    </div>
  );
}
