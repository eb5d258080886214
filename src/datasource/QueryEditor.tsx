import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Input } from '@grafana/ui';

import type { RecommendSort } from '../api/recommendTypes';
import type { TopBy } from '../api/types';
import { t } from '../i18n';
import type { DataSource } from './datasource';
import { LIMIT_RESOURCES, RECOMMEND_SORTS, TOP_BY } from './requests';
import type { KubeDoorOptions, KubeDoorQuery, LimitResource, QueryType } from './types';

type Props = QueryEditorProps<DataSource, KubeDoorQuery, KubeDoorOptions>;

const TYPES: Array<{ value: Exclude<QueryType, 'variable'>; label: string; description: string }> = [
  { value: 'totals', label: 'Cluster totals', description: 'Per day: pods, CPU and memory usage, request and limit' },
  { value: 'top', label: 'Top workloads', description: "Each workload's worst day, ranked" },
  { value: 'namespaces', label: 'Namespaces', description: 'Usage and share of the cluster per namespace' },
  { value: 'series', label: 'One workload', description: 'Per day: per-pod P95 vs request and limit, pods' },
  { value: 'peaks', label: 'Peak rows', description: 'Raw daily rows, for tables' },
  {
    value: 'recommendations',
    label: 'Recommendations',
    description: 'Per workload: monthly cost now, per the table and recommended; savings, waste score, risk',
  },
  { value: 'savings', label: 'Savings', description: 'One row: monthly cost now, per the table and recommended' },
  {
    value: 'savingsByNamespace',
    label: 'Savings per namespace',
    description: 'Monthly cost and savings per namespace',
  },
  {
    value: 'nodes',
    label: 'Nodes',
    description: 'Per node: requested, control-table and peak shares of allocatable, unused at peak, drain estimate',
  },
  {
    value: 'controlLimits',
    label: 'Control table request/limit',
    description: "One workload's per-pod request and limit in the control table, as lines over the time range",
  },
  {
    value: 'peakWindows',
    label: 'Peak windows',
    description: "The cluster's peak window (or the namespace's or workload's override) as regions, for annotations",
  },
];

/** Query editor: the query type and its filters; every text field takes template variables. */
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const type = query.queryType ?? 'totals';
  const set = (change: Partial<KubeDoorQuery>) => onChange({ ...query, ...change });
  const text = (key: 'cluster' | 'namespace' | 'workload' | 'kind' | 'container', placeholder: string) => (
    <Input
      width={20}
      placeholder={placeholder}
      value={query[key] ?? ''}
      onChange={(e) => set({ [key]: e.currentTarget.value })}
      onBlur={onRunQuery}
    />
  );
  return (
    <>
      <InlineFieldRow>
        <InlineField label={t('ds.query.type', 'Query')} labelWidth={12}>
          <Combobox
            width={24}
            options={TYPES}
            value={type}
            onChange={(o) => {
              set({ queryType: o.value });
              onRunQuery();
            }}
          />
        </InlineField>
        <InlineField label={t('ds.query.cluster', 'Cluster')}>{text('cluster', '$cluster')}</InlineField>
        {type !== 'top' && type !== 'namespaces' && type !== 'nodes' && (
          <InlineField label={t('ds.query.namespace', 'Namespace')}>{text('namespace', '$namespace')}</InlineField>
        )}
        <InlineField
          label={t('ds.query.kind', 'Kind')}
          tooltip={t(
            'ds.query.kind-help',
            'Deployment, StatefulSet or DaemonSet; empty: every kind (for one workload: a Deployment)'
          )}
        >
          {text('kind', '$kind')}
        </InlineField>
      </InlineFieldRow>
      {(type === 'controlLimits' || type === 'peakWindows') && (
        <InlineFieldRow>
          <InlineField
            label={t('ds.query.workload', 'Workload')}
            labelWidth={12}
            tooltip={t('ds.query.workload-window-help', 'Peak windows: empty for the namespace (or cluster) window')}
          >
            {text('workload', '$workload')}
          </InlineField>
          {type === 'controlLimits' && (
            <InlineField label={t('ds.query.resource', 'Resource')}>
              <Combobox<LimitResource>
                width={14}
                options={LIMIT_RESOURCES.map((r) => ({ value: r, label: r }))}
                value={query.resource ?? 'cpu'}
                onChange={(o) => {
                  set({ resource: o.value });
                  onRunQuery();
                }}
              />
            </InlineField>
          )}
        </InlineFieldRow>
      )}
      {(type === 'series' || type === 'peaks') && (
        <InlineFieldRow>
          <InlineField label={t('ds.query.workload', 'Workload')} labelWidth={12}>
            {text('workload', '$workload')}
          </InlineField>
          <InlineField
            label={t('ds.query.container', 'Container')}
            tooltip={t('ds.query.container-help', 'Empty: the pod total')}
          >
            {text('container', 'app')}
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'recommendations' && (
        <InlineFieldRow>
          <InlineField label={t('ds.query.sort', 'Sort by')} labelWidth={12}>
            <Combobox<RecommendSort>
              width={20}
              options={RECOMMEND_SORTS.map((b) => ({ value: b, label: b }))}
              value={query.sort ?? 'savings'}
              onChange={(o) => {
                set({ sort: o.value });
                onRunQuery();
              }}
            />
          </InlineField>
          <InlineField label={t('ds.query.limit', 'Limit')}>
            <Input
              type="number"
              width={10}
              value={query.limit ?? 20}
              onChange={(e) => set({ limit: Number(e.currentTarget.value) })}
              onBlur={onRunQuery}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {type === 'top' && (
        <InlineFieldRow>
          <InlineField label={t('ds.query.by', 'Rank by')} labelWidth={12}>
            <Combobox<TopBy>
              width={20}
              options={TOP_BY.map((b) => ({ value: b, label: b }))}
              value={query.by ?? 'cpu'}
              onChange={(o) => {
                set({ by: o.value });
                onRunQuery();
              }}
            />
          </InlineField>
          <InlineField label={t('ds.query.limit', 'Limit')}>
            <Input
              type="number"
              width={10}
              value={query.limit ?? 10}
              onChange={(e) => set({ limit: Number(e.currentTarget.value) })}
              onBlur={onRunQuery}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </>
  );
}
