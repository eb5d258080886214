import React from 'react';
import { t } from '../../i18n';
import { Button, Field, IconButton, Input, Stack, Switch, Text } from '@grafana/ui';

import { DEFAULT_KIND } from '../../api/workloadKind';
import { testIds } from '../../components/testIds';
import { KindPicker } from '../../components/WorkloadKind';
import type { PricesForm, RecommendForm, RecommendOverrideForm } from './recommendForm';

interface Props {
  recommend?: RecommendForm;
  prices?: PricesForm;
  readOnly: boolean;
  errors: Record<string, string>;
  onRecommend: (r: RecommendForm) => void;
  onPrices: (p: PricesForm) => void;
}

/** The recommend and prices blocks of the settings (shown when the backend has them). */
export function RecommendFields({ recommend, prices, readOnly, errors, onRecommend, onPrices }: Props) {
  const fieldProps = (path: string) => ({ invalid: !!errors[path], error: errors[path] });
  const input = (path: string, value: string, onChange: (v: string) => void, width = 10) => (
    <Input
      width={width}
      data-testid={testIds.clusters.field(path)}
      disabled={readOnly}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
  return (
    <>
      {recommend && (
        <RecommendBlock
          r={recommend}
          readOnly={readOnly}
          fieldProps={fieldProps}
          input={input}
          onChange={onRecommend}
        />
      )}
      {prices && (
        <>
          <Text element="h5">{t('clusters.settings.prices', 'Prices (per hour of requests)')}</Text>
          <Stack direction="row" gap={2} wrap="wrap">
            <Field label={t('clusters.settings.currency', 'Currency')} {...fieldProps('prices.currency')}>
              {input('prices.currency', prices.currency, (v) => onPrices({ ...prices, currency: v }), 8)}
            </Field>
            <Field label={t('clusters.settings.core-hour', 'One CPU core')} {...fieldProps('prices.cpuCoreHour')}>
              {input('prices.cpuCoreHour', prices.cpuCoreHour, (v) => onPrices({ ...prices, cpuCoreHour: v }))}
            </Field>
            <Field label={t('clusters.settings.gib-hour', 'One GiB of memory')} {...fieldProps('prices.memGiBHour')}>
              {input('prices.memGiBHour', prices.memGiBHour, (v) => onPrices({ ...prices, memGiBHour: v }))}
            </Field>
          </Stack>
        </>
      )}
    </>
  );
}

interface BlockProps {
  r: RecommendForm;
  readOnly: boolean;
  fieldProps: (path: string) => { invalid: boolean; error?: string };
  input: (path: string, value: string, onChange: (v: string) => void, width?: number) => React.ReactElement;
  onChange: (r: RecommendForm) => void;
}

function RecommendBlock({ r, readOnly, fieldProps, input, onChange }: BlockProps) {
  const setOverride = (i: number, key: keyof RecommendOverrideForm, value: string) =>
    onChange({ ...r, overrides: r.overrides.map((o, j) => (j === i ? { ...o, [key]: value } : o)) });
  // The server names a duplicate override by its index alone.
  const overrideProps = (i: number, key: string) => {
    const own = fieldProps(`recommend.overrides[${i}].${key}`);
    const whole = key === 'namespace' ? fieldProps(`recommend.overrides[${i}]`) : undefined;
    return own.invalid || !whole ? own : whole;
  };
  return (
    <>
      <Text element="h5">{t('clusters.settings.recommend', 'Recommended replicas')}</Text>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field
          label={t('clusters.settings.recommend-enabled', 'Recommended replicas take part in enforcement')}
          description={t(
            'clusters.settings.recommend-enabled-help',
            'Off: recommendations are only shown. On: they change the replicas the webhook enforces in enforced namespaces (manual replicas still win).'
          )}
        >
          <Switch
            id="kd-settings-recommend-enabled"
            data-testid={testIds.clusters.field('recommend.enabled')}
            disabled={readOnly}
            value={r.enabled}
            onChange={(e) => onChange({ ...r, enabled: e.currentTarget.checked })}
          />
        </Field>
        <Field
          label={t('clusters.settings.cpu-target', 'CPU target')}
          description={t('clusters.settings.target-help', 'Share of its request a pod may use at the peak, (0, 1]')}
          {...fieldProps('recommend.cpuTarget')}
        >
          {input('recommend.cpuTarget', r.cpuTarget, (v) => onChange({ ...r, cpuTarget: v }))}
        </Field>
        <Field
          label={t('clusters.settings.mem-target', 'Memory target')}
          description="(0, 1]"
          {...fieldProps('recommend.memTarget')}
        >
          {input('recommend.memTarget', r.memTarget, (v) => onChange({ ...r, memTarget: v }))}
        </Field>
        <Field
          label={t('clusters.settings.max-replicas', 'Max replicas')}
          description={t('clusters.settings.max-replicas-help', 'From min replicas to 100000')}
          {...fieldProps('recommend.maxReplicas')}
        >
          {input('recommend.maxReplicas', r.maxReplicas, (v) => onChange({ ...r, maxReplicas: v }))}
        </Field>
        <Field
          label={t('clusters.settings.max-step-down', 'Largest cut per derivation')}
          description={t('clusters.settings.max-step-down-help', 'Share of the pods at the peak, [0, 1); 0 never cuts')}
          {...fieldProps('recommend.maxStepDown')}
        >
          {input('recommend.maxStepDown', r.maxStepDown, (v) => onChange({ ...r, maxStepDown: v }))}
        </Field>
      </Stack>
      {r.overrides.map((o, i) => (
        <Stack key={i} direction="row" gap={1} alignItems="flex-start">
          <Field label={t('clusters.settings.override-ns', 'Namespace')} {...overrideProps(i, 'namespace')}>
            {input(`recommend.overrides[${i}].namespace`, o.namespace, (v) => setOverride(i, 'namespace', v), 20)}
          </Field>
          <Field label={t('clusters.settings.override-wl', 'Workload (empty = all)')} {...overrideProps(i, 'workload')}>
            {input(`recommend.overrides[${i}].workload`, o.workload, (v) => setOverride(i, 'workload', v), 24)}
          </Field>
          <Field label={t('clusters.settings.override-kind', 'Kind')} {...overrideProps(i, 'kind')}>
            <KindPicker
              testId={testIds.clusters.field(`recommend.overrides[${i}].kind`)}
              value={o.kind}
              disabled={readOnly || !o.workload.trim()}
              onChange={(k) => setOverride(i, 'kind', k)}
            />
          </Field>
          <Field label={t('clusters.settings.cpu-target', 'CPU target')} {...overrideProps(i, 'cpuTarget')}>
            {input(`recommend.overrides[${i}].cpuTarget`, o.cpuTarget, (v) => setOverride(i, 'cpuTarget', v))}
          </Field>
          <Field label={t('clusters.settings.mem-target', 'Memory target')} {...overrideProps(i, 'memTarget')}>
            {input(`recommend.overrides[${i}].memTarget`, o.memTarget, (v) => setOverride(i, 'memTarget', v))}
          </Field>
          {!readOnly && (
            <IconButton
              name="trash-alt"
              tooltip={t('clusters.settings.remove-override', 'Remove this override')}
              onClick={() => onChange({ ...r, overrides: r.overrides.filter((_, j) => j !== i) })}
            />
          )}
        </Stack>
      ))}
      {!readOnly && (
        <Button
          size="sm"
          variant="secondary"
          icon="plus"
          data-testid={testIds.clusters.addRecommendOverride}
          onClick={() =>
            onChange({
              ...r,
              overrides: [
                ...r.overrides,
                { namespace: '', kind: DEFAULT_KIND, workload: '', cpuTarget: r.cpuTarget, memTarget: r.memTarget },
              ],
            })
          }
        >
          {t('clusters.settings.add-recommend-override', 'Add targets for a namespace or workload')}
        </Button>
      )}
    </>
  );
}
