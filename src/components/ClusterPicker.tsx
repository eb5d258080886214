import React, { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { t } from '../i18n';
import { Combobox, Field } from '@grafana/ui';

import { useAppContext } from './AppContext';
import { testIds } from './testIds';

/**
 * The selected cluster, kept in the URL (`?cluster=`) so links and reloads keep it; defaults to
 * the first configured cluster. Setting it keeps the other query parameters.
 */
export function useClusterParam(): [string, (name: string) => void] {
  const { clusters } = useAppContext();
  const [params, setParams] = useSearchParams();
  const wanted = params.get('cluster') ?? '';
  const cluster = clusters.some((c) => c.name === wanted) ? wanted : (clusters[0]?.name ?? '');
  const setCluster = useCallback(
    (name: string) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          next.set('cluster', name);
          return next;
        },
        { replace: true }
      ),
    [setParams]
  );
  return [cluster, setCluster];
}

interface Props {
  value: string;
  onChange: (name: string) => void;
}

export function ClusterPicker({ value, onChange }: Props) {
  const { clusters } = useAppContext();
  const options = useMemo(() => clusters.map((c) => ({ label: c.name, value: c.name })), [clusters]);
  return (
    <Field label={t('common.cluster', 'Cluster')} noMargin>
      <Combobox
        id="kd-cluster-picker"
        data-testid={testIds.common.clusterPicker}
        width={24}
        options={options}
        value={value}
        onChange={(opt) => onChange(opt.value)}
      />
    </Field>
  );
}
