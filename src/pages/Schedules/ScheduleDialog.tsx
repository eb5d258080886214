import React, { useMemo, useState } from 'react';
import { t } from '../../i18n';
import { Alert, Button, Field, Input, Modal, MultiCombobox, RadioButtonGroup, Stack, Switch } from '@grafana/ui';

import { toApiError } from '../../api/client';
import { listAllControl } from '../../api/control';
import { createSchedule, updateSchedule } from '../../api/schedules';
import type { Schedule, ScheduleAction, ScheduleKind } from '../../api/types';
import { hasReplicas, kindOf, workloadTarget } from '../../api/workloadKind';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import {
  emptyScheduleForm,
  formFieldOf,
  type ScheduleErrors,
  type ScheduleForm,
  toScheduleInput,
  validateSchedule,
} from './scheduleForm';

interface Props {
  cluster: string;
  timeZone: string;
  /** The schedule being edited (its form, from formFromSchedule); absent: a new schedule. */
  editing?: { schedule: Schedule; form: ScheduleForm };
  onClose: () => void;
  onSaved: (s: Schedule) => void;
  now?: () => number;
}

/** Creates a schedule, or edits one (PUT with the version it was read at; 409 says who changed it). */
export function ScheduleDialog({ cluster, timeZone, editing, onClose, onSaved, now = Date.now }: Props) {
  const [form, setForm] = useState<ScheduleForm>(() => editing?.form ?? emptyScheduleForm(timeZone));
  const [serverErrors, setServerErrors] = useState<ScheduleErrors>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const clientErrors = validateSchedule(form, now());
  const errors: ScheduleErrors = touched ? { ...clientErrors, ...serverErrors } : serverErrors;
  const invalid = Object.keys(clientErrors).length > 0;

  const workloads = useAsync(() => listAllControl({ cluster }), [cluster]);
  const options = useMemo(
    () =>
      workloads.state.kind === 'ready'
        ? workloads.state.data.items
            // A DaemonSet has no replicas to scale to.
            .filter((r) => form.action !== 'scale' || hasReplicas(kindOf(r)))
            .map((r) => {
              const target = workloadTarget(r.namespace, r.workload, r.kind);
              return { label: target, value: target };
            })
        : [],
    [workloads.state, form.action]
  );

  const set = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setServerErrors({});
  };
  const text = (key: 'name' | 'runAt' | 'cron' | 'timeZone' | 'replicas' | 'intervalSeconds' | 'days') => ({
    value: form[key],
    onChange: (e: React.FormEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
  });

  const submit = async () => {
    setTouched(true);
    if (invalid || busy) {
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const input = toScheduleInput(form, cluster);
      const saved = editing
        ? await updateSchedule(editing.schedule.id, {
            ...input,
            enabled: editing.schedule.enabled, // a paused schedule stays paused
            expectedVersion: editing.schedule.version,
          })
        : await createSchedule(input);
      onSaved(saved);
      onClose();
    } catch (err) {
      const e = toApiError(err);
      const key = e.status === 400 && e.field ? formFieldOf(e.field) : undefined;
      if (key) {
        setServerErrors({ [key]: e.message });
      } else if (e.status === 409) {
        setFailure(
          t(
            'schedules.edit.conflict',
            'Someone changed this schedule since you opened it; close the dialog and edit the current version. ({{message}})',
            { message: e.message }
          )
        );
      } else {
        setFailure(e.message);
      }
      setBusy(false);
    }
  };

  return (
    <Modal
      title={
        editing
          ? t('schedules.edit.title', 'Edit "{{name}}" in {{cluster}}', { name: editing.schedule.name, cluster })
          : t('schedules.create.title', 'New schedule in {{cluster}}', { cluster })
      }
      isOpen
      onDismiss={onClose}
    >
      <div data-testid={testIds.schedules.dialog}>
        <Field label={t('schedules.field.name', 'Name')} invalid={!!errors.name} error={errors.name}>
          <Input data-testid={testIds.schedules.name} {...text('name')} />
        </Field>
        <Field label={t('schedules.field.action', 'Action')}>
          <RadioButtonGroup<ScheduleAction>
            options={[
              { label: t('schedules.action.scale', 'Scale'), value: 'scale' },
              { label: t('schedules.action.restart', 'Restart'), value: 'restart' },
              { label: t('schedules.action.resize', 'Resize in place'), value: 'resize' },
              { label: t('schedules.action.collect', 'Collect peak data'), value: 'collect' },
            ]}
            value={form.action}
            onChange={(v) => set('action', v)}
          />
        </Field>
        <Field label={t('schedules.field.kind', 'When')}>
          <RadioButtonGroup<ScheduleKind>
            options={[
              { label: t('schedules.kind.once', 'Once'), value: 'once' },
              { label: t('schedules.kind.cron', 'Repeat (cron)'), value: 'cron' },
            ]}
            value={form.kind}
            onChange={(v) => set('kind', v)}
          />
        </Field>
        <Stack direction="row" gap={2}>
          {form.kind === 'once' ? (
            <Field
              label={t('schedules.field.run-at', 'Date and time')}
              description={t('schedules.field.run-at-help', 'Read in the time zone on the right')}
              invalid={!!errors.runAt}
              error={errors.runAt}
            >
              <Input type="datetime-local" data-testid={testIds.schedules.runAt} width={28} {...text('runAt')} />
            </Field>
          ) : (
            <Field
              label={t('schedules.field.cron', 'Cron (5 fields)')}
              description={t('schedules.field.cron-help', 'minute hour day-of-month month day-of-week')}
              invalid={!!errors.cron}
              error={errors.cron}
            >
              <Input data-testid={testIds.schedules.cron} width={28} {...text('cron')} />
            </Field>
          )}
          <Field
            label={t('schedules.field.time-zone', 'Time zone')}
            invalid={!!errors.timeZone}
            error={errors.timeZone}
          >
            <Input data-testid={testIds.schedules.timeZone} width={24} {...text('timeZone')} />
          </Field>
        </Stack>
        {form.action !== 'collect' && (
          <Field
            label={t('schedules.field.workloads', 'Workloads')}
            invalid={!!errors.items}
            error={errors.items}
            description={
              workloads.state.kind === 'error'
                ? t('schedules.field.workloads-error', 'Could not list the control table: {{error}}', {
                    error: workloads.state.error.message,
                  })
                : undefined
            }
          >
            <MultiCombobox
              data-testid={testIds.schedules.workloads}
              loading={workloads.state.kind === 'loading'}
              options={options}
              value={form.workloads}
              onChange={(opts) =>
                set(
                  'workloads',
                  opts.map((o) => o.value)
                )
              }
            />
          </Field>
        )}
        {form.action === 'scale' && (
          <Stack direction="row" gap={2}>
            <Field
              label={t('schedules.field.replicas', 'Replicas')}
              invalid={!!errors.replicas}
              error={errors.replicas}
            >
              <Input data-testid={testIds.schedules.replicas} width={12} {...text('replicas')} />
            </Field>
            <Field
              label={t('schedules.field.temporary', 'Temporary')}
              description={t('schedules.field.temporary-help', 'Leave the control table as it is')}
            >
              <Switch value={form.temporary} onChange={(e) => set('temporary', e.currentTarget.checked)} />
            </Field>
          </Stack>
        )}
        {form.action === 'collect' && (
          <Field
            label={t('schedules.field.days', 'Days to collect')}
            description={t('schedules.field.days-help', 'The last N days whose peak windows have ended')}
            invalid={!!errors.days}
            error={errors.days}
          >
            <Input width={12} {...text('days')} />
          </Field>
        )}
        {form.action !== 'collect' && (
          <Field
            label={t('schedules.field.interval', 'Seconds between workloads')}
            invalid={!!errors.intervalSeconds}
            error={errors.intervalSeconds}
          >
            <Input data-testid={testIds.schedules.interval} width={12} {...text('intervalSeconds')} />
          </Field>
        )}
        {failure && (
          <div data-testid={testIds.schedules.dialogError}>
            <Alert
              severity="error"
              title={
                editing
                  ? t('schedules.edit.failed', 'The schedule was not saved')
                  : t('schedules.create.failed', 'The schedule was not created')
              }
            >
              {failure}
            </Alert>
          </div>
        )}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onClose}>
            {t('common.cancel', 'Cancel')}
          </Button>
          <Button data-testid={testIds.schedules.submit} disabled={busy || (touched && invalid)} onClick={submit}>
            {busy
              ? t('common.saving', 'Saving...')
              : editing
                ? t('schedules.edit.submit', 'Save')
                : t('schedules.create.submit', 'Create')}
          </Button>
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}
