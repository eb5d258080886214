import React, { FormEvent, useMemo, useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { t } from '../../i18n';
import {
  Alert,
  Button,
  Divider,
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  SecretInput,
  Stack,
  Switch,
  Text,
} from '@grafana/ui';

import { savePluginSettings } from '../../api/pluginSettings';
import { toApiError } from '../../api/client';
import { testIds } from '../../components/testIds';
import type { AppSettings, StorageMode } from '../../types';
import { reloadPage } from '../../utils/reload';
import { ChannelEditor } from './ChannelEditor';
import { ClusterEditor } from './ClusterEditor';
import { EngineSetup } from './EngineSetup';
import { type ConfigForm, formFromSettings, newChannel, newCluster, toSettingsUpdate, validate } from './form';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<Partial<AppSettings>>> {}

const WIDTH = 60;

type StorageTextKey = 'dataDir' | 'address' | 'database' | 'username' | 'chCluster';

/** The app's configuration (Admin): storage, cluster connections, notification channels. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [form, setForm] = useState<ConfigForm>(() => formFromSettings(jsonData, secureJsonFields ?? {}));
  // Unchanged since load: notification tests go through the saved channels only.
  const [savedForm] = useState(form);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const errors = useMemo(() => validate(form), [form]);
  const errorCount = Object.keys(errors).length;

  const set = <K extends keyof ConfigForm>(key: K, value: ConfigForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const text = (key: StorageTextKey, testId: string, placeholder?: string) => ({
    id: `kd-config-${key}`,
    'data-testid': testId,
    width: WIDTH,
    placeholder,
    value: form[key],
    onChange: (e: FormEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
  });
  const err = (path: string) => ({ invalid: !!errors[path], error: errors[path] });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (errorCount > 0 || saving) {
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    try {
      await savePluginSettings(
        toSettingsUpdate(form, jsonData ?? {}, { enabled: Boolean(enabled), pinned: Boolean(pinned) })
      );
      reloadPage();
    } catch (e) {
      setSaveError(toApiError(e).message);
      setSaving(false);
    }
  };

  const clusterNames = form.clusters.map((c) => c.name.trim()).filter(Boolean);

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.form}>
      <FieldSet label={t('config.storage.title', 'Storage')}>
        <Field
          label={t('config.storage.mode', 'Mode')}
          description={t('config.storage.mode-help', 'Where peak data, the control table and the audit log are kept')}
        >
          <RadioButtonGroup<StorageMode>
            data-testid={testIds.appConfig.storageMode}
            options={[
              {
                label: t('config.storage.embedded', 'Embedded'),
                value: 'embedded',
                description: t('config.storage.embedded-help', 'ClickHouse engine inside the plugin backend (chDB)'),
              },
              {
                label: t('config.storage.server', 'Server'),
                value: 'server',
                description: t('config.storage.server-help', 'An existing ClickHouse server or cluster'),
              },
            ]}
            value={form.mode}
            onChange={(mode) => set('mode', mode)}
          />
        </Field>
        {form.mode === 'embedded' && <EngineSetup />}
        {form.mode === 'embedded' ? (
          <Field
            label={t('config.storage.data-dir', 'Data directory')}
            description={t(
              'config.storage.data-dir-help',
              "Leave empty for the backend's default under Grafana's data path"
            )}
          >
            <Input {...text('dataDir', testIds.appConfig.dataDir, '/var/lib/grafana/kubedoor')} />
          </Field>
        ) : (
          <>
            <Field
              label={t('config.storage.address', 'Address')}
              description={t('config.storage.address-help', 'host:port of the native protocol')}
              required
              {...err('storage.address')}
            >
              <Input {...text('address', testIds.appConfig.address, 'clickhouse:9000')} />
            </Field>
            <Field label={t('config.storage.database', 'Database')} required {...err('storage.database')}>
              <Input {...text('database', testIds.appConfig.database)} />
            </Field>
            <Field label={t('config.storage.username', 'Username')}>
              <Input {...text('username', testIds.appConfig.username, 'default')} />
            </Field>
            <Field
              label={t('config.storage.password', 'Password')}
              description={t(
                'config.storage.password-help',
                'Stored encrypted by Grafana; never sent back to the browser'
              )}
            >
              <SecretInput
                id="kd-config-password"
                data-testid={testIds.appConfig.password}
                width={WIDTH}
                value={form.password.value}
                isConfigured={form.password.set && !form.password.reset}
                onChange={(e) => set('password', { ...form.password, value: e.currentTarget.value })}
                onReset={() => set('password', { value: '', set: form.password.set, reset: true })}
              />
            </Field>
            <Field
              label={t('config.storage.ch-cluster', 'ClickHouse cluster')}
              description={t(
                'config.storage.ch-cluster-help',
                'Optional: creates replicated tables ON CLUSTER this name'
              )}
              {...err('storage.cluster')}
            >
              <Input {...text('chCluster', testIds.appConfig.chCluster)} />
            </Field>
            <Field
              label={t('config.storage.tls', 'TLS')}
              description={t('config.storage.tls-help', 'Connect to the native protocol over TLS')}
            >
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

      <FieldSet label={t('config.clusters.title', 'Clusters')}>
        {form.clusters.length === 0 && (
          <Text color="secondary">
            {t('config.clusters.none', 'No cluster yet: add one for each Kubernetes cluster and its Prometheus.')}
          </Text>
        )}
        {form.clusters.map((c, i) => (
          <React.Fragment key={i}>
            <ClusterEditor
              index={i}
              cluster={c}
              errors={errors}
              onChange={(next) =>
                set(
                  'clusters',
                  form.clusters.map((x, j) => (j === i ? next : x))
                )
              }
              onRemove={() =>
                set(
                  'clusters',
                  form.clusters.filter((_, j) => j !== i)
                )
              }
            />
            <Divider />
          </React.Fragment>
        ))}
        <Field
          label={t('config.publish.interval', 'Reconcile policies every (seconds)')}
          description={t(
            'config.publish.interval-help',
            "How often every cluster's CapacityPolicies are made to match the control table, healing kubectl edits (empty: 300)"
          )}
          {...err('publishIntervalSeconds')}
        >
          <Input
            id="kd-config-publish-interval"
            width={16}
            placeholder="300"
            value={form.publishIntervalSeconds}
            onChange={(e) => set('publishIntervalSeconds', e.currentTarget.value)}
          />
        </Field>
        <Button
          type="button"
          variant="secondary"
          icon="plus"
          data-testid={testIds.appConfig.addCluster}
          onClick={() => set('clusters', [...form.clusters, newCluster(form.clusters.length === 0 ? 'default' : '')])}
        >
          {t('config.clusters.add', 'Add a cluster')}
        </Button>
      </FieldSet>

      <FieldSet label={t('config.channels.title', 'Notifications')}>
        {form.channels.map((ch, i) => (
          <React.Fragment key={i}>
            <ChannelEditor
              index={i}
              channel={ch}
              clusterNames={clusterNames}
              errors={errors}
              testable={
                ch.storedId !== '' &&
                JSON.stringify(ch) === JSON.stringify(savedForm.channels.find((s) => s.storedId === ch.storedId))
              }
              onChange={(next) =>
                set(
                  'channels',
                  form.channels.map((x, j) => (j === i ? next : x))
                )
              }
              onRemove={() =>
                set(
                  'channels',
                  form.channels.filter((_, j) => j !== i)
                )
              }
            />
            <Divider />
          </React.Fragment>
        ))}
        <Button
          type="button"
          variant="secondary"
          icon="plus"
          data-testid={testIds.appConfig.addChannel}
          onClick={() => set('channels', [...form.channels, newChannel(`channel-${form.channels.length + 1}`)])}
        >
          {t('config.channels.add', 'Add a channel')}
        </Button>
      </FieldSet>

      <Stack direction="column" alignItems="flex-start">
        {saveError && (
          <Alert severity="error" title={t('config.save.failed', 'Settings were not saved')}>
            {saveError}
          </Alert>
        )}
        {errorCount > 0 && (
          <Text color="error">
            {t('config.save.invalid', '{{count}} field(s) need attention before saving', { count: errorCount })}
          </Text>
        )}
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={errorCount > 0 || saving}>
          {saving ? t('common.saving', 'Saving...') : t('config.save.submit', 'Save settings')}
        </Button>
      </Stack>
    </form>
  );
};

export default AppConfig;
