import React from 'react';
import { Card } from '@grafana/ui';

import { StatusBadge } from '../../components/StatusBadge';
import { testIds } from '../../components/testIds';
import type { StoreStatus } from '../../types';

const MODE_LABEL: Record<StoreStatus['mode'], string> = {
  embedded: 'Embedded ClickHouse engine (chDB)',
  server: 'ClickHouse server',
};

export function StoreCard({ store }: { store: StoreStatus }) {
  return (
    <div data-testid={testIds.overview.store}>
      <Card noMargin>
        <Card.Heading>Storage</Card.Heading>
        <Card.Meta>
          {[
            <span key="mode">{MODE_LABEL[store.mode] ?? store.mode}</span>,
            <span key="schema">Schema version {store.schemaVersion}</span>,
          ]}
        </Card.Meta>
        {store.message && <Card.Description>{store.message}</Card.Description>}
        <Card.Tags>
          <StatusBadge ok={store.ok} />
        </Card.Tags>
      </Card>
    </div>
  );
}
