import React, { useMemo, useState } from 'react';
import { t } from '../../i18n';
import { Alert, Button, Field, FieldSet, IconButton, Input, RadioButtonGroup, Stack, Switch, Text } from '@grafana/ui';

import { toApiError } from '../../api/client';
import { getClusterSettings, putClusterSettings } from '../../api/clusters';
import type { ClusterSettings, DeriveMode } from '../../api/types';
import { DEFAULT_KIND } from '../../api/workloadKind';
import { Loadable } from '../../components/Loadable';
import { KindPicker } from '../../components/WorkloadKind';
import { formatTime } from '../../components/format';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';
import { RecommendFields } from './RecommendFields';
import {
  crossesMidnight,
  formFromSettings,
  type SettingsErrors,
  type SettingsForm,
  toSettingsUpdate,
  validateSettings,
} from './settingsForm';

interface Props {
  cluster: string;
  canAdmin: boolean;
}

/** The cluster's peak-pipeline settings; Admins edit them, everyone else reads them. */
export function SettingsSection({ cluster, canAdmin }: Props) {
  const { state, reload, setData } = useAsync(() => getClusterSettings(cluster), [cluster]);
  return (
    <FieldSet label={t('clusters.settings.title', 'Peak window and derivation')}>
      <Loadable
        state={state}
        loadingText={t('clusters.settings.loading', 'Loading settings...')}
        errorTitle={t('clusters.settings.error', 'Could not load the settings')}
        onRetry={reload}
      >
        {(settings) => <SettingsEditor settings={settings} canAdmin={canAdmin} onSaved={setData} onReload={reload} />}
      </Loadable>
    </FieldSet>
  );
}

interface EditorProps {
  settings: ClusterSettings;
  canAdmin: boolean;
  onSaved: (s: ClusterSettings) => void;
  onReload: () => void;
}

function SettingsEditor({ settings, canAdmin, onSaved, onReload }: EditorProps) {
  const [form, setForm] = useState<SettingsForm>(() => formFromSettings(settings));
  // New settings (saved here, or reloaded) replace what the form holds.
  const [loaded, setLoaded] = useState(settings);
  if (loaded !== settings) {
    setLoaded(settings);
    setForm(formFromSettings(settings));
  }
  const [serverErrors, setServerErrors] = useState<SettingsErrors>({});
  const [failure, setFailure] = useState<{ message: string; conflict: boolean }>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const clientErrors = useMemo(() => validateSettings(form), [form]);
  const errors = { ...clientErrors, ...serverErrors };
  const invalid = Object.keys(clientErrors).length > 0;
  const readOnly = !canAdmin;

  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setServerErrors({});
    setSaved(false);
  };
  const text = (
    key: Exclude<keyof SettingsForm, 'overrides' | 'mode' | 'oomBump' | 'collectEnabled' | 'recommend' | 'prices'>,
    path: string
  ) => ({
    id: `kd-settings-${key}`,
    'data-testid': testIds.clusters.field(path),
    disabled: readOnly,
    value: form[key],
    onChange: (e: React.FormEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
  });
  const fieldProps = (path: string) => ({ invalid: !!errors[path], error: errors[path] });

  const save = async () => {
    if (invalid || busy) {
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const next = await putClusterSettings(settings.cluster, toSettingsUpdate(form, settings));
      setSaved(true);
      onSaved(next);
    } catch (err) {
      const e = toApiError(err);
      if (e.status === 400 && e.field) {
        setServerErrors({ [e.field]: e.message });
      }
      setFailure({ message: e.message, conflict: e.status === 409 });
    }
    setBusy(false);
  };

  const setOverride = (i: number, key: keyof SettingsForm['overrides'][number], value: string) =>
    set(
      'overrides',
      form.overrides.map((o, j) => (j === i ? { ...o, [key]: value } : o))
    );

  return (
    <div data-testid={testIds.clusters.settingsForm}>
      <Text color="secondary" variant="bodySmall">
        {settings.version === 0
          ? t('clusters.settings.defaults', 'Defaults (never saved). Times are in {{zone}}.', {
              zone: settings.timeZone,
            })
          : t('clusters.settings.version', 'Version {{version}}, saved by {{by}} at {{at}}. Times are in {{zone}}.', {
              version: settings.version,
              by: settings.updatedBy,
              at: formatTime(settings.updatedAt),
              zone: settings.timeZone,
            })}
      </Text>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field label={t('clusters.settings.start', 'Peak window start')} {...fieldProps('peakWindow.start')}>
          <Input width={12} placeholder="10:00" {...text('start', 'peakWindow.start')} />
        </Field>
        <Field
          label={t('clusters.settings.end', 'Peak window end')}
          description={
            crossesMidnight(form.start, form.end) ? t('clusters.settings.midnight', 'Crosses midnight') : undefined
          }
          {...fieldProps('peakWindow.end')}
        >
          <Input width={12} placeholder="11:30" {...text('end', 'peakWindow.end')} />
        </Field>
        <Field
          label={t('clusters.settings.collect-enabled', 'Daily collection')}
          description={t('clusters.settings.collect-help', 'Collects yesterday at this time of day')}
        >
          <Switch
            id="kd-settings-collect-enabled"
            disabled={readOnly}
            value={form.collectEnabled}
            onChange={(e) => set('collectEnabled', e.currentTarget.checked)}
          />
        </Field>
        <Field label={t('clusters.settings.collect-at', 'Collect at')} {...fieldProps('collect.at')}>
          <Input width={12} placeholder="01:00" {...text('collectAt', 'collect.at')} />
        </Field>
        <Field
          label={t('clusters.settings.concurrency', 'Queries at once')}
          description="1–16"
          {...fieldProps('collect.concurrency')}
        >
          <Input width={10} {...text('collectConcurrency', 'collect.concurrency')} />
        </Field>
        <Field
          label={t('clusters.settings.query-timeout', 'Query timeout (s)')}
          description="5–600"
          {...fieldProps('collect.queryTimeoutSeconds')}
        >
          <Input width={10} {...text('collectTimeout', 'collect.queryTimeoutSeconds')} />
        </Field>
        <Field
          label={t('clusters.settings.min-found-ratio', 'Replace a day from')}
          description={t(
            'clusters.settings.min-found-ratio-help',
            'Share (0–1) of its stored workloads a re-collection must find again; below it the stored day is kept'
          )}
          {...fieldProps('collect.minFoundRatio')}
        >
          <Input width={10} {...text('collectMinFoundRatio', 'collect.minFoundRatio')} />
        </Field>
      </Stack>

      <Text element="h5">
        {t('clusters.settings.overrides', 'Other peak windows for some namespaces or workloads')}
      </Text>
      {form.overrides.map((o, i) => (
        <Stack key={i} direction="row" gap={1} alignItems="flex-start">
          <Field label={t('clusters.settings.override-ns', 'Namespace')} {...fieldProps(`overrides[${i}].namespace`)}>
            <Input
              width={20}
              disabled={readOnly}
              data-testid={testIds.clusters.field(`overrides[${i}].namespace`)}
              value={o.namespace}
              onChange={(e) => setOverride(i, 'namespace', e.currentTarget.value)}
            />
          </Field>
          <Field
            label={t('clusters.settings.override-wl', 'Workload (empty = all)')}
            {...fieldProps(`overrides[${i}].workload`)}
          >
            <Input
              width={24}
              disabled={readOnly}
              data-testid={testIds.clusters.field(`overrides[${i}].workload`)}
              value={o.workload}
              onChange={(e) => setOverride(i, 'workload', e.currentTarget.value)}
            />
          </Field>
          <Field label={t('clusters.settings.override-kind', 'Kind')} {...fieldProps(`overrides[${i}].kind`)}>
            <KindPicker
              testId={testIds.clusters.field(`overrides[${i}].kind`)}
              value={o.kind}
              disabled={readOnly || !o.workload.trim()}
              onChange={(k) => setOverride(i, 'kind', k)}
            />
          </Field>
          <Field
            label={t('clusters.settings.start', 'Peak window start')}
            {...fieldProps(`overrides[${i}].peakWindow.start`)}
          >
            <Input
              width={10}
              disabled={readOnly}
              value={o.start}
              onChange={(e) => setOverride(i, 'start', e.currentTarget.value)}
            />
          </Field>
          <Field
            label={t('clusters.settings.end', 'Peak window end')}
            {...fieldProps(`overrides[${i}].peakWindow.end`)}
          >
            <Input
              width={10}
              disabled={readOnly}
              value={o.end}
              onChange={(e) => setOverride(i, 'end', e.currentTarget.value)}
            />
          </Field>
          {!readOnly && (
            <IconButton
              name="trash-alt"
              tooltip={t('clusters.settings.remove-override', 'Remove this override')}
              onClick={() =>
                set(
                  'overrides',
                  form.overrides.filter((_, j) => j !== i)
                )
              }
            />
          )}
        </Stack>
      ))}
      {!readOnly && (
        <Button
          size="sm"
          variant="secondary"
          icon="plus"
          data-testid={testIds.clusters.addOverride}
          onClick={() =>
            set('overrides', [
              ...form.overrides,
              { namespace: '', kind: DEFAULT_KIND, workload: '', start: '20:00', end: '22:00' },
            ])
          }
        >
          {t('clusters.settings.add-override', 'Add an override')}
        </Button>
      )}

      <Stack direction="row" gap={2} wrap="wrap">
        <Field label={t('clusters.settings.quantile', 'Quantile')} description="0.5–0.999" {...fieldProps('quantile')}>
          <Input width={10} {...text('quantile', 'quantile')} />
        </Field>
        <Field label={t('clusters.settings.days', 'Look back (days)')} description="1–90" {...fieldProps('days')}>
          <Input width={10} {...text('days', 'days')} />
        </Field>
        <Field
          label={t('clusters.settings.mode', 'Peak day')}
          description={
            form.mode === 'kubedoor'
              ? t(
                  'clusters.settings.mode-kubedoor',
                  "One cluster-wide day with the highest pods × CPU (KubeDoor's rule)"
                )
              : t('clusters.settings.mode-per-workload', "Each workload's own worst day")
          }
        >
          <RadioButtonGroup<DeriveMode>
            disabled={readOnly}
            options={[
              { label: t('clusters.settings.per-workload', 'Per workload'), value: 'per-workload' },
              { label: t('clusters.settings.kubedoor', 'Cluster-wide'), value: 'kubedoor' },
            ]}
            value={form.mode}
            onChange={(v) => set('mode', v)}
          />
        </Field>
        <Field label={t('clusters.settings.headroom', 'Headroom')} description="0.2 = +20%" {...fieldProps('headroom')}>
          <Input width={10} {...text('headroom', 'headroom')} />
        </Field>
        <Field label={t('clusters.settings.cpu-floor', 'CPU floor (m)')} {...fieldProps('cpuFloorMillis')}>
          <Input width={10} {...text('cpuFloorMillis', 'cpuFloorMillis')} />
        </Field>
        <Field label={t('clusters.settings.mem-floor', 'Memory floor (MiB)')} {...fieldProps('memFloorMiB')}>
          <Input width={10} {...text('memFloorMiB', 'memFloorMiB')} />
        </Field>
        <Field
          label={t('clusters.settings.oom-bump', 'Raise memory after OOM kills')}
          description={t('clusters.settings.oom-bump-help', '×1.2 or +100 MiB, whichever is larger')}
        >
          <Switch
            id="kd-settings-oom-bump"
            disabled={readOnly}
            value={form.oomBump}
            onChange={(e) => set('oomBump', e.currentTarget.checked)}
          />
        </Field>
        <Field
          label={t('clusters.settings.min-replicas', 'Min replicas')}
          description={t(
            'clusters.settings.min-replicas-help',
            'Observed replicas never go below it; a Deployment at 0 for its whole peak window stays at 0'
          )}
          {...fieldProps('minReplicas')}
        >
          <Input width={10} {...text('minReplicas', 'minReplicas')} />
        </Field>
        <Field label={t('clusters.settings.retention', 'Keep peak data (days)')} {...fieldProps('retentionDays')}>
          <Input width={10} {...text('retentionDays', 'retentionDays')} />
        </Field>
      </Stack>

      <RecommendFields
        recommend={form.recommend}
        prices={form.prices}
        readOnly={readOnly}
        errors={errors}
        onRecommend={(r) => set('recommend', r)}
        onPrices={(p) => set('prices', p)}
      />

      {failure && (
        <div data-testid={testIds.clusters.settingsError}>
          <Alert
            severity="error"
            title={
              failure.conflict
                ? t('clusters.settings.conflict', 'Someone saved these settings meanwhile: yours were not saved')
                : t('clusters.settings.not-saved', 'Settings were not saved')
            }
          >
            <Stack direction="column" alignItems="flex-start">
              <span>{failure.message}</span>
              {failure.conflict && (
                <Button size="sm" variant="secondary" onClick={onReload}>
                  {t('clusters.settings.reload', 'Load the saved settings')}
                </Button>
              )}
            </Stack>
          </Alert>
        </div>
      )}
      {saved && (
        <div data-testid={testIds.clusters.settingsSaved}>
          <Alert severity="success" title={t('clusters.settings.saved', 'Saved')} />
        </div>
      )}
      {canAdmin && (
        <Button data-testid={testIds.clusters.saveSettings} disabled={invalid || busy} onClick={save}>
          {busy ? t('common.saving', 'Saving...') : t('clusters.settings.save', 'Save settings')}
        </Button>
      )}
    </div>
  );
}
