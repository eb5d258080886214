import React from 'react';
import { type CellProps, type Column, InteractiveTable, LinkButton, Stack, Text } from '@grafana/ui';

import { StatusBadge } from '../../components/StatusBadge';
import { CONFIG_PAGE_URL } from '../../constants';
import type { PrometheusStatus } from '../../types';

type Cell = CellProps<PrometheusStatus>;

const columns: Array<Column<PrometheusStatus>> = [
  { id: 'cluster', header: 'Cluster' },
  { id: 'ok', header: 'Prometheus', cell: ({ row }: Cell) => <StatusBadge ok={row.original.ok} /> },
  { id: 'message', header: 'Message' },
];

export function PrometheusTable({ clusters }: { clusters: PrometheusStatus[] }) {
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3">Clusters</Text>
      {clusters.length === 0 ? (
        <Stack direction="row" alignItems="center">
          <Text color="secondary">No cluster is configured yet.</Text>
          <LinkButton variant="secondary" size="sm" href={CONFIG_PAGE_URL}>
            Configure
          </LinkButton>
        </Stack>
      ) : (
        <InteractiveTable columns={columns} data={clusters} getRowId={(row) => row.cluster} />
      )}
    </Stack>
  );
}
