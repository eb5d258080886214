import React, { useState } from 'react';
import { t } from '../../i18n';
import {
  Alert,
  Button,
  Field,
  Input,
  RadioButtonGroup,
  SecretInput,
  SecretTextArea,
  Stack,
  Switch,
  Text,
} from '@grafana/ui';

import { toApiError } from '../../api/client';
import { testCluster } from '../../api/clusters';
import type { Check, ClusterConnectionTest, ClusterTestResult, KubeAccess } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge';
import { testIds } from '../../components/testIds';
import type { ClusterSecretKey } from '../../types';
import type { ClusterForm, FormErrors, Secret } from './form';

const WIDTH = 60;

interface Props {
  index: number;
  cluster: ClusterForm;
  errors: FormErrors;
  onChange: (c: ClusterForm) => void;
  onRemove: () => void;
}

type TextKey =
  | 'name'
  | 'prometheusUrl'
  | 'prometheusUsername'
  | 'clusterLabelKey'
  | 'clusterLabelValue'
  | 'timeZone'
  | 'kubedoorNamespace';

/** One cluster connection: Prometheus (+ auth), cluster label, time zone and Kubernetes access. */
export function ClusterEditor({ index, cluster, errors, onChange, onRemove }: Props) {
  const p = `clusters[${index}]`;
  const err = (field: string) => ({ invalid: !!errors[`${p}.${field}`], error: errors[`${p}.${field}`] });
  const set = <K extends keyof ClusterForm>(key: K, value: ClusterForm[K]) => onChange({ ...cluster, [key]: value });
  const setSecret = (key: ClusterSecretKey, s: Secret) =>
    onChange({ ...cluster, secrets: { ...cluster.secrets, [key]: s } });
  const text = (key: TextKey, placeholder?: string) => ({
    id: `kd-config-cluster-${index}-${key}`,
    'data-testid': testIds.appConfig.clusterField(index, key),
    width: WIDTH,
    placeholder,
    value: cluster[key],
    onChange: (e: React.FormEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
  });
  const secretProps = (key: ClusterSecretKey) => ({
    id: `kd-config-cluster-${index}-${key}`,
    'data-testid': testIds.appConfig.clusterField(index, key),
    value: cluster.secrets[key].value,
    isConfigured: cluster.secrets[key].set && !cluster.secrets[key].reset,
    onReset: () => setSecret(key, { value: '', set: cluster.secrets[key].set, reset: true }),
  });

  return (
    <div>
      <Stack direction="row" justifyContent="space-between" alignItems="center">
        <Text element="h4">{cluster.name || t('config.cluster.new', 'New cluster')}</Text>
        <Button
          variant="destructive"
          fill="text"
          size="sm"
          icon="trash-alt"
          data-testid={testIds.appConfig.removeCluster(index)}
          onClick={onRemove}
        >
          {t('config.cluster.remove', 'Remove')}
        </Button>
      </Stack>
      <Field
        label={t('config.cluster.name', 'Name')}
        description={t('config.cluster.name-help', 'Lower-case letters, digits and -')}
        required
        {...err('name')}
      >
        <Input {...text('name', 'prod-a')} />
      </Field>
      <Field label={t('config.cluster.prometheus-url', 'Prometheus URL')} required {...err('prometheusUrl')}>
        <Input {...text('prometheusUrl', 'http://prometheus:9090')} />
      </Field>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field
          label={t('config.cluster.prometheus-user', 'Prometheus user')}
          description={t('config.cluster.basic-auth', 'Basic auth, with the password')}
        >
          <Input {...text('prometheusUsername')} width={28} />
        </Field>
        <Field label={t('config.cluster.prometheus-password', 'Prometheus password')} {...err('prometheusPassword')}>
          <SecretInput
            {...secretProps('prometheusPassword')}
            width={28}
            onChange={(e) =>
              setSecret('prometheusPassword', { ...cluster.secrets.prometheusPassword, value: e.currentTarget.value })
            }
          />
        </Field>
        <Field
          label={t('config.cluster.prometheus-token', 'Bearer token')}
          description={t('config.cluster.token-help', 'Instead of user and password')}
          {...err('prometheusToken')}
        >
          <SecretInput
            {...secretProps('prometheusToken')}
            width={28}
            onChange={(e) =>
              setSecret('prometheusToken', { ...cluster.secrets.prometheusToken, value: e.currentTarget.value })
            }
          />
        </Field>
        <Field label={t('config.cluster.tls-skip', 'Skip TLS verification')}>
          <Switch
            id={`kd-config-cluster-${index}-tls-skip`}
            value={cluster.prometheusTlsSkipVerify}
            onChange={(e) => set('prometheusTlsSkipVerify', e.currentTarget.checked)}
          />
        </Field>
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field
          label={t('config.cluster.label-key', 'Cluster label key')}
          description={t('config.cluster.label-key-help', 'Only for a Prometheus shared by several clusters')}
          {...err('clusterLabelKey')}
        >
          <Input {...text('clusterLabelKey', 'cluster')} width={28} />
        </Field>
        <Field
          label={t('config.cluster.label-value', 'Cluster label value')}
          description={t('config.cluster.label-value-help', 'Defaults to the cluster name')}
        >
          <Input {...text('clusterLabelValue')} width={28} />
        </Field>
        <Field
          label={t('config.cluster.time-zone', 'Time zone')}
          description={t('config.cluster.time-zone-help', 'IANA name; the peak window is read in it')}
          {...err('timeZone')}
        >
          <Input {...text('timeZone', 'Asia/Shanghai')} width={28} />
        </Field>
      </Stack>
      <Field
        label={t('config.cluster.kube-access', 'Kubernetes access')}
        description={t(
          'config.cluster.kube-access-help',
          'Needed to publish policies, switch enforcement, scale and restart; without it only peak data are collected'
        )}
      >
        <RadioButtonGroup<KubeAccess>
          options={[
            { label: t('config.cluster.kubeconfig', 'Kubeconfig'), value: 'kubeconfig' },
            { label: t('config.cluster.in-cluster', 'In-cluster service account'), value: 'in-cluster' },
            { label: t('config.cluster.none', 'None'), value: '' },
          ]}
          value={cluster.kubeAccess}
          onChange={(v) => set('kubeAccess', v)}
        />
      </Field>
      {cluster.kubeAccess !== '' && (
        <Field
          label={t('config.cluster.kubedoor-namespace', 'KubeDoor namespace')}
          description={t(
            'config.cluster.kubedoor-namespace-help',
            "Where kubedoor-webhook and the schedules' lease live; never enforced (default kubedoor)"
          )}
          {...err('kubedoorNamespace')}
        >
          <Input {...text('kubedoorNamespace', 'kubedoor')} width={28} />
        </Field>
      )}
      {cluster.kubeAccess === 'kubeconfig' && (
        <Field
          label={t('config.cluster.kubeconfig-field', 'Kubeconfig')}
          description={t(
            'config.cluster.kubeconfig-help',
            'Stored encrypted by Grafana; never sent back to the browser'
          )}
          {...err('kubeconfig')}
        >
          <SecretTextArea
            {...secretProps('kubeconfig')}
            rows={6}
            cols={WIDTH}
            onChange={(e) => setSecret('kubeconfig', { ...cluster.secrets.kubeconfig, value: e.currentTarget.value })}
          />
        </Field>
      )}
      <ConnectionTest index={index} cluster={cluster} />
    </div>
  );
}

/** The connection as POST v1/clusters/test takes it. Only typed secrets can be sent: Grafana never gives stored ones back. */
export function toConnectionTest(c: ClusterForm): ClusterConnectionTest {
  const body: ClusterConnectionTest = {
    name: c.name.trim(),
    prometheusUrl: c.prometheusUrl.trim(),
    timeZone: c.timeZone.trim() || 'UTC',
    kubeAccess: c.kubeAccess,
  };
  if (c.prometheusUsername.trim()) {
    body.prometheusUsername = c.prometheusUsername.trim();
  }
  if (c.prometheusTlsSkipVerify) {
    body.prometheusTlsSkipVerify = true;
  }
  if (c.clusterLabelKey.trim()) {
    body.clusterLabelKey = c.clusterLabelKey.trim();
  }
  if (c.clusterLabelValue.trim()) {
    body.clusterLabelValue = c.clusterLabelValue.trim();
  }
  if (c.kubedoorNamespace.trim()) {
    body.kubedoorNamespace = c.kubedoorNamespace.trim();
  }
  for (const key of ['prometheusPassword', 'prometheusToken', 'kubeconfig'] as const) {
    if (c.secrets[key].value) {
      body[key] = c.secrets[key].value;
    }
  }
  return body;
}

/** Stored secrets the test will not have unless they are typed again. */
function untypedSecrets(c: ClusterForm): string[] {
  const out: string[] = [];
  if (
    c.kubeAccess === 'kubeconfig' &&
    c.secrets.kubeconfig.set &&
    !c.secrets.kubeconfig.reset &&
    !c.secrets.kubeconfig.value
  ) {
    out.push('kubeconfig');
  }
  for (const key of ['prometheusPassword', 'prometheusToken'] as const) {
    if (c.secrets[key].set && !c.secrets[key].reset && !c.secrets[key].value) {
      out.push(key === 'prometheusPassword' ? 'Prometheus password' : 'bearer token');
    }
  }
  return out;
}

function ConnectionTest({ index, cluster }: { index: number; cluster: ClusterForm }) {
  const missing = untypedSecrets(cluster);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ClusterTestResult>();
  const [error, setError] = useState<string>();
  const run = async () => {
    setBusy(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await testCluster(toConnectionTest(cluster)));
    } catch (err) {
      setError(toApiError(err).message);
    }
    setBusy(false);
  };
  return (
    <Stack direction="column" alignItems="flex-start" gap={1}>
      <Button
        variant="secondary"
        icon="heart-rate"
        data-testid={testIds.appConfig.testCluster(index)}
        disabled={busy || !cluster.prometheusUrl.trim()}
        onClick={run}
      >
        {busy ? t('config.cluster.testing', 'Testing...') : t('config.cluster.test', 'Test')}
      </Button>
      {missing.length > 0 && (
        <Text variant="bodySmall" color="secondary">
          {t(
            'config.cluster.test-secrets',
            'Grafana does not give stored secrets back to the browser: paste the {{secrets}} again to include it in the test.',
            { secrets: missing.join(', ') }
          )}
        </Text>
      )}
      <div data-testid={testIds.appConfig.testResult(index)}>
        {error && (
          <Alert severity="error" title={t('config.cluster.test-failed', 'The test did not run')}>
            {error}
          </Alert>
        )}
        {result && (
          <Stack direction="column" gap={0.5}>
            <CheckLine label={t('config.cluster.check-prometheus', 'Prometheus')} check={result.prometheus} />
            <CheckLine label={t('config.cluster.check-kubernetes', 'Kubernetes')} check={result.kubernetes} />
            <CheckLine label={t('config.cluster.check-webhook', 'Webhook')} check={result.webhook} />
          </Stack>
        )}
      </div>
    </Stack>
  );
}

function CheckLine({ label, check }: { label: string; check: Check }) {
  return (
    <Stack direction="row" gap={1} alignItems="center">
      <Text weight="medium">{label}</Text>
      <StatusBadge ok={check.ok} />
      {check.version && <Text color="secondary">{check.version}</Text>}
      {check.message && <Text color={check.ok ? 'secondary' : 'error'}>{check.message}</Text>}
    </Stack>
  );
}
