import React, { useState } from 'react';
import { t } from '../../i18n';
import { Button, Checkbox, Combobox, Field, Input, SecretInput, Stack, Switch, Text } from '@grafana/ui';

import { toApiError } from '../../api/client';
import { testNotification } from '../../api/notifications';
import type { ChannelEvent, ChannelKind, NotificationTestResult } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge';
import { testIds } from '../../components/testIds';
import { CHANNEL_EVENTS, CHANNEL_KINDS, type ChannelForm, type FormErrors } from './form';

interface Props {
  index: number;
  channel: ChannelForm;
  clusterNames: string[];
  errors: FormErrors;
  /** Saved and unchanged: the backend knows it and can send a test message through it. */
  testable: boolean;
  onChange: (c: ChannelForm) => void;
  onRemove: () => void;
}

const KIND_LABEL: Record<ChannelKind, string> = {
  wecom: 'WeCom',
  dingtalk: 'DingTalk',
  feishu: 'Feishu',
  slack: 'Slack',
  webhook: 'JSON webhook',
};

const EVENT_LABEL: Record<ChannelEvent, () => string> = {
  newWorkload: () => t('config.channel.event.new-workload', 'New workload found'),
  actionDone: () => t('config.channel.event.action-done', 'Action done'),
  actionFailed: () => t('config.channel.event.action-failed', 'Action failed'),
  scheduleFailed: () => t('config.channel.event.schedule-failed', 'Schedule failed'),
  enforcementChanged: () => t('config.channel.event.enforcement', 'Enforcement switched'),
  denied: () => t('config.channel.event.denied', 'Deployments denied'),
};

/** One notification channel; its URL or bot key is a secure value. */
export function ChannelEditor({ index, channel, clusterNames, errors, testable, onChange, onRemove }: Props) {
  const p = `notifications[${index}]`;
  const err = (field: string) => ({ invalid: !!errors[`${p}.${field}`], error: errors[`${p}.${field}`] });
  const set = <K extends keyof ChannelForm>(key: K, value: ChannelForm[K]) => onChange({ ...channel, [key]: value });
  const toggleEvent = (ev: ChannelEvent) =>
    set('events', channel.events.includes(ev) ? channel.events.filter((e) => e !== ev) : [...channel.events, ev]);

  return (
    <div>
      <Stack direction="row" justifyContent="space-between" alignItems="center">
        <Text element="h4">{channel.name || channel.id || t('config.channel.new', 'New channel')}</Text>
        <Button
          variant="destructive"
          fill="text"
          size="sm"
          icon="trash-alt"
          data-testid={testIds.appConfig.removeChannel(index)}
          onClick={onRemove}
        >
          {t('config.channel.remove', 'Remove')}
        </Button>
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field label={t('config.channel.id', 'Id')} required {...err('id')}>
          <Input
            width={20}
            data-testid={testIds.appConfig.channelField(index, 'id')}
            value={channel.id}
            onChange={(e) => set('id', e.currentTarget.value)}
          />
        </Field>
        <Field label={t('config.channel.name', 'Name')}>
          <Input
            width={28}
            data-testid={testIds.appConfig.channelField(index, 'name')}
            value={channel.name}
            onChange={(e) => set('name', e.currentTarget.value)}
          />
        </Field>
        <Field label={t('config.channel.kind', 'Kind')} {...err('kind')}>
          <Combobox
            width={20}
            options={CHANNEL_KINDS.map((k) => ({ label: KIND_LABEL[k], value: k }))}
            value={channel.kind}
            onChange={(o) => set('kind', o.value)}
          />
        </Field>
        <Field label={t('config.channel.cluster', 'Cluster')} {...err('cluster')}>
          <Combobox
            width={20}
            isClearable
            placeholder={t('config.channel.all-clusters', 'All clusters')}
            options={clusterNames.map((n) => ({ label: n, value: n }))}
            value={channel.cluster || null}
            onChange={(o) => set('cluster', o?.value ?? '')}
          />
        </Field>
        <Field label={t('config.channel.enabled', 'Enabled')}>
          <Switch value={channel.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        </Field>
      </Stack>
      <Field
        label={t('config.channel.secret', 'Webhook URL or bot key')}
        description={t('config.channel.secret-help', 'Stored encrypted by Grafana')}
        {...err('secret')}
      >
        <SecretInput
          width={60}
          data-testid={testIds.appConfig.channelField(index, 'secret')}
          value={channel.secret.value}
          isConfigured={channel.secret.set && !channel.secret.reset}
          onReset={() => set('secret', { value: '', set: channel.secret.set, reset: true })}
          onChange={(e) => set('secret', { ...channel.secret, value: e.currentTarget.value })}
        />
      </Field>
      <Field label={t('config.channel.events', 'Events')} {...err('events')}>
        <Stack direction="row" gap={2} wrap="wrap">
          {CHANNEL_EVENTS.map((ev) => (
            <Checkbox
              key={ev}
              label={EVENT_LABEL[ev]()}
              value={channel.events.includes(ev)}
              onChange={() => toggleEvent(ev)}
            />
          ))}
        </Stack>
      </Field>
      <ChannelTest index={index} id={channel.storedId} testable={testable} />
    </div>
  );
}

function ChannelTest({ index, id, testable }: { index: number; id: string; testable: boolean }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<NotificationTestResult>();
  const [error, setError] = useState<string>();
  const run = async () => {
    setBusy(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await testNotification(id));
    } catch (err) {
      setError(toApiError(err).message);
    }
    setBusy(false);
  };
  return (
    <Stack direction="row" gap={1} alignItems="center">
      <Button
        variant="secondary"
        size="sm"
        icon="message"
        data-testid={testIds.appConfig.testChannel(index)}
        disabled={busy || !testable}
        tooltip={
          testable
            ? undefined
            : t('config.channel.save-first', 'Save the settings first: the test goes through the saved channel')
        }
        onClick={run}
      >
        {t('config.channel.test', 'Send a test message')}
      </Button>
      <span data-testid={testIds.appConfig.testChannelResult(index)}>
        {result && (
          <Stack direction="row" gap={1} alignItems="center">
            <StatusBadge ok={result.ok} />
            <Text color={result.ok ? 'secondary' : 'error'}>
              {result.ok ? `HTTP ${result.status}` : `${result.error ?? ''} (HTTP ${result.status})`}
            </Text>
          </Stack>
        )}
        {error && <Text color="error">{error}</Text>}
      </span>
    </Stack>
  );
}
