import React from 'react';
import { Card, Icon, LinkButton, Stack, Text } from '@grafana/ui';

import { t } from '../../i18n';
import { StatusBadge } from '../../components/StatusBadge';
import { testIds } from '../../components/testIds';
import { CONFIG_PAGE_URL } from '../../constants';
import type { StoreProblem, StoreStatus } from '../../types';
import { TroubleshootingLink } from './TroubleshootingLink';

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
        <Card.Description>
          <Stack direction="column" gap={1}>
            {store.message && <span>{store.message}</span>}
            <EngineCheck store={store} />
          </Stack>
        </Card.Description>
        <Card.Tags>
          <StatusBadge ok={store.ok} />
        </Card.Tags>
      </Card>
    </div>
  );
}

/** What to do for each troubleshooting case of a store that did not open (the backend names it). */
function problemText(problem: StoreProblem): string {
  switch (problem) {
    case 'engine-not-found':
      return t(
        'overview.engine.notFound',
        'The engine library (libchdb.so) is not installed. An Admin downloads it on the configuration page (Download engine) or installs it by hand; or switch the storage to a ClickHouse server.'
      );
    case 'engine-load':
      return t(
        'overview.engine.load',
        "The engine library was found but does not load. Grafana's image must be glibc-based (-ubuntu, not Alpine); if another engine file was loaded before, restart Grafana."
      );
    case 'data-dir':
      return t(
        'overview.engine.dataDir',
        "The engine cannot open its data directory: it must be writable by Grafana's user and used by one backend only (KUBEDOOR_DATA_DIR)."
      );
  }
}

/**
 * The engine check (docs/troubleshooting.md, "The engine is not found"): which engine serves the
 * store, or what kept it from opening and what to do.
 */
function EngineCheck({ store }: { store: StoreStatus }) {
  if (store.problem) {
    return (
      <div data-testid={testIds.overview.engine}>
        <Stack direction="column" gap={0.5} alignItems="flex-start">
          <Text variant="bodySmall" color="error">
            <Icon name="exclamation-triangle" /> {problemText(store.problem)}
          </Text>
          <Stack direction="row" alignItems="center" gap={2}>
            {store.problem === 'engine-not-found' && (
              <LinkButton variant="secondary" size="sm" icon="cog" href={CONFIG_PAGE_URL}>
                {t('overview.engine.configure', 'Configuration page')}
              </LinkButton>
            )}
            <TroubleshootingLink section="engine" />
          </Stack>
        </Stack>
      </div>
    );
  }
  if (!store.ok || !store.engine?.version) {
    return null;
  }
  return (
    <div data-testid={testIds.overview.engine}>
      <Stack direction="row" alignItems="center" gap={1}>
        <Text variant="bodySmall">{t('overview.engine.label', 'Engine')}</Text>
        <Text variant="bodySmall" color="secondary">
          {store.engine.library
            ? t('overview.engine.loadedFrom', 'ClickHouse {{version}} loaded from {{library}}', {
                version: store.engine.version,
                library: store.engine.library,
              })
            : t('overview.engine.version', 'ClickHouse {{version}}', { version: store.engine.version })}
        </Text>
      </Stack>
    </div>
  );
}
