import React, { FormEvent, useMemo, useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, RadioButtonGroup, SecretInput, Stack, Switch } from '@grafana/ui';

import { savePluginSettings } from '../../api/pluginSettings';
import { toApiError } from '../../api/client';
import { testIds } from '../../components/testIds';
import type { AppSettings, StorageMode } from '../../types';
import { reloadPage } from '../../utils/reload';
import { type ConfigForm, formFromSettings, toSettingsUpdate, validate } from './form';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<Partial<AppSettings>>> {}

const MODE_OPTIONS: Array<{ label: string; value: StorageMode; description: string }> = [
  { label: 'Embedded', value: 'embedded', description: 'ClickHouse engine inside the plugin backend (chDB)' },
  { label: 'Server', value: 'server', description: 'An existing ClickHouse server or cluster' },
];

const WIDTH = 60;

// Form keys edited through a plain text input.
type TextKey = { [K in keyof ConfigForm]: string extends ConfigForm[K] ? K : never }[keyof ConfigForm];

const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [form, setForm] = useState<ConfigForm>(() =>
    formFromSettings(jsonData, Boolean(secureJsonFields?.clickhousePassword))
  );
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const errors = useMemo(() => validate(form), [form]);
  const invalid = Object.keys(errors).length > 0;

  const set = <K extends keyof ConfigForm>(key: K, value: ConfigForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const text = (key: TextKey, testId: string, placeholder?: string) => ({
    id: `kd-config-${key}`,
    'data-testid': testId,
    width: WIDTH,
    placeholder,
    value: form[key],
    onChange: (e: FormEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
  });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid || saving) {
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    try {
      await savePluginSettings(
        toSettingsUpdate(form, jsonData ?? {}, { enabled: Boolean(enabled), pinned: Boolean(pinned) })
      );
      reloadPage();
    } catch (err) {
      setSaveError(toApiError(err).message);
      setSaving(false);
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.form}>
      <FieldSet label="Storage">
        <Field label="Mode" description="Where peak data, the control table and the audit log are kept">
          <RadioButtonGroup
            data-testid={testIds.appConfig.storageMode}
            options={MODE_OPTIONS}
            value={form.mode}
            onChange={(mode) => set('mode', mode)}
          />
        </Field>

        {form.mode === 'embedded' ? (
          <Field label="Data directory" description="Leave empty for the backend's default under Grafana's data path">
            <Input {...text('dataDir', testIds.appConfig.dataDir, '/var/lib/grafana/kubedoor')} />
          </Field>
        ) : (
          <>
            <Field
              label="Address"
              description="host:port of the native protocol"
              invalid={!!errors.address}
              error={errors.address}
              required
            >
              <Input {...text('address', testIds.appConfig.address, 'clickhouse:9000')} />
            </Field>
            <Field label="Database" invalid={!!errors.database} error={errors.database} required>
              <Input {...text('database', testIds.appConfig.database)} />
            </Field>
            <Field label="Username">
              <Input {...text('username', testIds.appConfig.username, 'default')} />
            </Field>
            <Field label="Password" description="Stored encrypted by Grafana; never sent back to the browser">
              <SecretInput
                id="kd-config-password"
                data-testid={testIds.appConfig.password}
                width={WIDTH}
                value={form.password}
                isConfigured={form.passwordSet}
                onChange={(e) => set('password', e.currentTarget.value)}
                onReset={() => setForm((f) => ({ ...f, password: '', passwordSet: false, passwordReset: true }))}
              />
            </Field>
            <Field label="ClickHouse cluster" description="Optional: creates replicated tables ON CLUSTER this name">
              <Input {...text('chCluster', testIds.appConfig.chCluster)} />
            </Field>
            <Field label="TLS" description="Connect to the native protocol over TLS">
              <Switch
                id="kd-config-tls"
                data-testid={testIds.appConfig.tls}
                value={form.tls}
                onChange={(e) => set('tls', e.currentTarget.checked)}
              />
            </Field>
          </>
        )}
      </FieldSet>

      <FieldSet label="Default cluster">
        <Field label="Name" invalid={!!errors.clusterName} error={errors.clusterName} required>
          <Input {...text('clusterName', testIds.appConfig.clusterName)} />
        </Field>
        <Field label="Prometheus URL" invalid={!!errors.prometheusUrl} error={errors.prometheusUrl} required>
          <Input {...text('prometheusUrl', testIds.appConfig.prometheusUrl, 'http://prometheus:9090')} />
        </Field>
        <Field
          label="Cluster label key"
          description="Only for a Prometheus shared by several clusters"
          invalid={!!errors.clusterLabelKey}
          error={errors.clusterLabelKey}
        >
          <Input {...text('clusterLabelKey', testIds.appConfig.clusterLabelKey, 'cluster')} />
        </Field>
        <Field label="Cluster label value" description="Defaults to the cluster name when a key is set">
          <Input {...text('clusterLabelValue', testIds.appConfig.clusterLabelValue)} />
        </Field>
        <Field
          label="Time zone"
          description="IANA name; the daily peak window is read in this zone"
          invalid={!!errors.timeZone}
          error={errors.timeZone}
          required
        >
          <Input {...text('timeZone', testIds.appConfig.timeZone, 'Asia/Shanghai')} />
        </Field>
      </FieldSet>

      <Stack direction="column" alignItems="flex-start">
        {saveError && (
          <Alert severity="error" title="Settings were not saved">
            {saveError}
          </Alert>
        )}
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={invalid || saving}>
          {saving ? 'Saving...' : 'Save settings'}
        </Button>
      </Stack>
    </form>
  );
};

export default AppConfig;
