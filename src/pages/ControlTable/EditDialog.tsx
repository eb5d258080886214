import React, { useMemo, useState } from 'react';
import { t } from '../../i18n';
import { Alert, Button, Field, IconButton, Input, Modal, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import { restartWorkloads, scaleWorkloads } from '../../api/actions';
import { ApiError, toApiError } from '../../api/client';
import { createControl, updateControl } from '../../api/control';
import type { ActionResults, ControlRow, ControlUpdate } from '../../api/types';
import { kindOf, kindParam, replicasOf, WORKLOAD_KINDS, type WorkloadKind } from '../../api/workloadKind';
import { testIds } from '../../components/testIds';
import { NoReplicas } from './RecommendedCell';
import {
  CONTAINER_NUMBER_KEYS,
  containerKey,
  type ContainerNumberKey,
  type ControlForm,
  emptyForm,
  FIELD_OF,
  formFromRow,
  formKeyOfField,
  toCreate,
  hasReplicasForm,
  toUpdate,
  validate,
} from './editForm';
import { BacktestPreview } from './BacktestPreview';
import { proposalFromForm } from './backtestForm';

export type EditTarget = { kind: 'edit'; row: ControlRow } | { kind: 'add'; cluster: string };

interface Props {
  target: EditTarget;
  onClose: () => void;
  /** A row was saved (the dialog may stay open to show a failed follow-up action). */
  onSaved: (row: ControlRow) => void;
}

type Then = 'nothing' | 'scale' | 'restart';

const LABELS: Record<ContainerNumberKey, () => string> = {
  cpuRequestMillis: () => t('control.field.cpu-request', 'CPU request (m)'),
  cpuLimitMillis: () => t('control.field.cpu-limit', 'CPU limit (m)'),
  memRequestMiB: () => t('control.field.mem-request', 'Memory request (MiB)'),
  memLimitMiB: () => t('control.field.mem-limit', 'Memory limit (MiB)'),
};

export function EditDialog({ target, onClose, onSaved }: Props) {
  const adding = target.kind === 'add';
  const [row, setRow] = useState<ControlRow | undefined>(target.kind === 'edit' ? target.row : undefined);
  const [form, setForm] = useState<ControlForm>(() => (target.kind === 'edit' ? formFromRow(target.row) : emptyForm()));
  const [busy, setBusy] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<{ message: string; conflict?: ControlRow }>();
  const errors = useMemo(() => ({ ...validate(form, adding), ...serverErrors }), [form, adding, serverErrors]);
  const invalid = Object.keys(validate(form, adding)).length > 0;
  const update = row ? toUpdate(form, row) : undefined;

  const edit = (change: (f: ControlForm) => ControlForm) => {
    setForm(change);
    setServerErrors({});
  };
  const setContainer = (i: number, key: ContainerNumberKey | 'name', value: string) =>
    edit((f) => ({ ...f, containers: f.containers.map((c, j) => (j === i ? { ...c, [key]: value } : c)) }));
  const toggleReset = (i: number, key: ContainerNumberKey) =>
    edit((f) => ({
      ...f,
      containers: f.containers.map((c, j) => {
        if (j !== i) {
          return c;
        }
        const reset = c.reset ?? [];
        return { ...c, reset: reset.includes(key) ? reset.filter((k) => k !== key) : [...reset, key] };
      }),
    }));
  const isManual = (i: number, key: ContainerNumberKey) =>
    !adding && row?.containers?.[i]?.sources?.[FIELD_OF[key]] === 'manual';

  const submit = async (then: Then) => {
    if (invalid || busy) {
      return;
    }
    setBusy(true);
    setFailure(undefined);
    let saved: ControlRow | undefined = row;
    let sent: ControlUpdate | undefined;
    try {
      if (target.kind === 'add') {
        saved = await createControl(toCreate(form, target.cluster));
      } else if (row && update) {
        sent = update;
        saved = await updateControl(row, update);
      }
    } catch (err) {
      const e = toApiError(err);
      showFailure(e, sent);
      setBusy(false);
      return;
    }
    if (!saved) {
      setBusy(false);
      return;
    }
    onSaved(saved);
    setRow(saved);
    if (then === 'nothing') {
      onClose();
      return;
    }
    try {
      // An older backend's answer has no kind: the row is the one this dialog asked for.
      const kind = kindParam(saved.kind ?? form.kind);
      const ref = { cluster: saved.cluster, namespace: saved.namespace, workload: saved.workload, kind };
      const replicas = replicasOf({ kind, replicas: saved.replicas });
      // Never turn a scale into a restart: a row without replicas (a DaemonSet) is not scaled.
      if (then === 'scale' && !replicas) {
        setFailure({ message: actionFailed(then, t('control.edit.no-replicas', 'it has no replicas')) });
        setBusy(false);
        return;
      }
      const res: ActionResults =
        then === 'scale' && replicas
          ? await scaleWorkloads({
              items: [{ ...ref, replicas: replicas.effective }],
              temporary: false,
              intervalSeconds: 0,
            })
          : await restartWorkloads({ items: [ref], intervalSeconds: 0 });
      const failed = (res.results ?? []).find((r) => !r.ok);
      if (failed) {
        setFailure({ message: actionFailed(then, failed.error ?? '') });
      } else {
        onClose();
        return;
      }
    } catch (err) {
      setFailure({ message: actionFailed(then, toApiError(err).message) });
    }
    setBusy(false);
  };

  const showFailure = (e: ApiError, sent?: ControlUpdate) => {
    if (e.status === 409) {
      setFailure({ message: e.message, conflict: e.current<ControlRow>() });
      return;
    }
    if (e.status === 400 && e.field) {
      setServerErrors({ [formKeyOfField(e.field, sent, row)]: e.message });
    }
    setFailure({ message: e.message });
  };

  const loadCurrent = (current: ControlRow) => {
    setRow(current);
    setForm(formFromRow(current));
    setFailure(undefined);
    setServerErrors({});
  };

  const title = adding
    ? t('control.add.title', 'Add a workload to control')
    : t('control.edit.title', 'Edit {{kind}} {{namespace}}/{{workload}}', {
        kind: kindOf(row),
        namespace: row?.namespace,
        workload: row?.workload,
      });
  const current = row ? replicasOf(row) : undefined;

  return (
    <Modal title={title} isOpen onDismiss={onClose}>
      <div data-testid={testIds.control.dialog}>
        {adding && (
          <Field label={t('control.field.kind', 'Kind')}>
            <div data-testid={testIds.control.addKind}>
              <RadioButtonGroup<WorkloadKind>
                options={WORKLOAD_KINDS.map((k) => ({ label: k, value: k }))}
                value={form.kind}
                onChange={(kind) => edit((f) => ({ ...f, kind }))}
              />
            </div>
          </Field>
        )}
        {adding && (
          <Stack direction="row" gap={2}>
            <Field
              label={t('control.field.namespace', 'Namespace')}
              invalid={!!errors.namespace}
              error={errors.namespace}
            >
              <Input
                id="kd-control-namespace-input"
                value={form.namespace}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  edit((f) => ({ ...f, namespace: value }));
                }}
              />
            </Field>
            <Field
              label={t('control.field.workload', '{{kind}} name', { kind: form.kind })}
              invalid={!!errors.workload}
              error={errors.workload}
            >
              <Input
                id="kd-control-workload-input"
                value={form.workload}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  edit((f) => ({ ...f, workload: value }));
                }}
              />
            </Field>
          </Stack>
        )}
        {!hasReplicasForm(form) ? (
          <Field
            label={t('control.field.replicas-manual', 'Replicas (manual)')}
            description={t('control.field.replicas-ds', 'Not applicable (DaemonSet): one pod per node.')}
          >
            <NoReplicas row={{ kind: form.kind }} />
          </Field>
        ) : (
          <Field
            label={t('control.field.replicas-manual', 'Replicas (manual)')}
            description={
              adding
                ? t(
                    'control.field.replicas-manual.add',
                    'The replicas the webhook enforces until collections recommend others.'
                  )
                : t(
                    'control.field.replicas-manual.edit',
                    '-1 follows the recommendation, else the observed count (now {{effective}} from {{source}}).',
                    { effective: current?.effective, source: current?.source }
                  )
            }
            invalid={!!errors.replicasManual}
            error={errors.replicasManual}
          >
            <Input
              id="kd-control-replicas-manual"
              data-testid={testIds.control.replicasManual}
              width={16}
              value={form.replicasManual}
              onChange={(e) => {
                const value = e.currentTarget.value;
                edit((f) => ({ ...f, replicasManual: value }));
              }}
            />
          </Field>
        )}

        {form.containers.map((c, i) => (
          <fieldset key={i}>
            <Stack direction="row" alignItems="center" gap={1}>
              {adding ? (
                <Field
                  label={t('control.field.container', 'Container')}
                  invalid={!!errors[containerKey(i, 'name')]}
                  error={errors[containerKey(i, 'name')]}
                >
                  <Input
                    data-testid={testIds.control.containerField(i, 'name')}
                    value={c.name}
                    onChange={(e) => setContainer(i, 'name', e.currentTarget.value)}
                  />
                </Field>
              ) : (
                <Text element="h5">{t('control.field.container-name', 'Container {{name}}', { name: c.name })}</Text>
              )}
              {adding && form.containers.length > 1 && (
                <IconButton
                  name="trash-alt"
                  tooltip={t('control.add.remove-container', 'Remove this container')}
                  onClick={() => edit((f) => ({ ...f, containers: f.containers.filter((_, j) => j !== i) }))}
                />
              )}
            </Stack>
            <Stack direction="row" wrap="wrap" gap={1}>
              {CONTAINER_NUMBER_KEYS.map((key) => {
                const reset = c.reset?.includes(key) ?? false;
                return (
                  <Field
                    key={key}
                    label={LABELS[key]()}
                    description={
                      reset
                        ? t('control.field.reset', 'Follows the collection after saving')
                        : isManual(i, key)
                          ? t('control.field.manual', 'Set by hand')
                          : undefined
                    }
                    invalid={!!errors[containerKey(i, key)]}
                    error={errors[containerKey(i, key)]}
                  >
                    <Input
                      data-testid={testIds.control.containerField(i, key)}
                      width={18}
                      placeholder="-1"
                      disabled={reset}
                      value={c[key]}
                      onChange={(e) => setContainer(i, key, e.currentTarget.value)}
                      suffix={
                        isManual(i, key) ? (
                          <IconButton
                            name={reset ? 'pen' : 'history-alt'}
                            size="sm"
                            data-testid={testIds.control.containerField(i, `${key}-reset`)}
                            tooltip={
                              reset
                                ? t('control.field.keep-manual', 'Keep the value set by hand')
                                : t('control.field.to-collected', 'Hand this value back to the collection')
                            }
                            onClick={() => toggleReset(i, key)}
                          />
                        ) : undefined
                      }
                    />
                  </Field>
                );
              })}
            </Stack>
          </fieldset>
        ))}
        {adding && (
          <Button
            variant="secondary"
            size="sm"
            icon="plus"
            onClick={() =>
              edit((f) => ({
                ...f,
                containers: [
                  ...f.containers,
                  { name: '', cpuRequestMillis: '', cpuLimitMillis: '', memRequestMiB: '', memLimitMiB: '' },
                ],
              }))
            }
          >
            {t('control.add.add-container', 'Add a container')}
          </Button>
        )}

        <BacktestPreview
          target={
            adding
              ? form.namespace && form.workload
                ? { cluster: target.cluster, namespace: form.namespace, workload: form.workload, kind: form.kind }
                : undefined
              : row
          }
          proposal={proposalFromForm(form, row)}
        />

        {failure && (
          <div data-testid={testIds.control.dialogError}>
            <Alert
              severity="error"
              title={
                failure.conflict
                  ? t('control.edit.conflict', 'Changed meanwhile: your edit was not saved')
                  : t('control.edit.failed', 'Not done')
              }
            >
              <Stack direction="column" alignItems="flex-start">
                <span>{failure.message}</span>
                {failure.conflict && (
                  <>
                    <span>
                      {t('control.edit.conflict-by', 'Version {{version}} by {{by}} at {{at}}.', {
                        version: failure.conflict.version,
                        by: failure.conflict.updatedBy,
                        at: failure.conflict.updatedAt,
                      })}
                    </span>
                    <Button size="sm" variant="secondary" onClick={() => loadCurrent(failure.conflict!)}>
                      {t('control.edit.load-current', 'Load the current values')}
                    </Button>
                  </>
                )}
              </Stack>
            </Alert>
          </div>
        )}

        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onClose}>
            {t('common.cancel', 'Cancel')}
          </Button>
          {!adding && (
            <>
              <Button
                variant="secondary"
                data-testid={testIds.control.saveRestart}
                disabled={invalid || busy}
                onClick={() => submit('restart')}
              >
                {update ? t('control.edit.save-restart', 'Save & restart') : t('control.edit.restart', 'Restart')}
              </Button>
              {hasReplicasForm(form) && (
                <Button
                  variant="secondary"
                  data-testid={testIds.control.saveScale}
                  disabled={invalid || busy}
                  onClick={() => submit('scale')}
                >
                  {update ? t('control.edit.save-scale', 'Save & scale') : t('control.edit.scale', 'Scale')}
                </Button>
              )}
            </>
          )}
          <Button
            data-testid={testIds.control.save}
            disabled={invalid || busy || (!adding && !update)}
            onClick={() => submit('nothing')}
          >
            {busy
              ? t('common.saving', 'Saving...')
              : adding
                ? t('control.add.submit', 'Add')
                : t('common.save', 'Save')}
          </Button>
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}

function actionFailed(then: Then, why: string): string {
  return then === 'scale'
    ? t('control.edit.scale-failed', 'Saved, but scaling failed: {{why}}', { why })
    : t('control.edit.restart-failed', 'Saved, but the restart failed: {{why}}', { why });
}
