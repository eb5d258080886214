import React, { useState } from 'react';
import { Alert, ClipboardButton, FieldSet, Stack, Tab, TabContent, TabsBar, Text } from '@grafana/ui';

import { t } from '../../i18n';
import { getGitops } from '../../api/clusters';
import type { GitopsConfig } from '../../api/types';
import { Loadable } from '../../components/Loadable';
import { testIds } from '../../components/testIds';
import { useAsync } from '../../components/useAsync';

type Tool = 'argocd' | 'flux';

const TOOL_NAMES: Record<Tool, string> = { argocd: 'Argo CD', flux: 'Flux' };

/**
 * What Argo CD and Flux need so the webhook's rewrite of replicas and resources is not drift
 * (docs/gitops.md): the generated block for the cluster's control table, ready to copy.
 */
export function GitopsSection({ cluster }: { cluster: string }) {
  const { state, reload } = useAsync(() => getGitops(cluster), [cluster]);
  return (
    <FieldSet label={t('clusters.gitops.title', 'GitOps (Argo CD, Flux)')}>
      <div data-testid={testIds.clusters.gitops}>
        <Loadable
          state={state}
          loadingText={t('clusters.gitops.loading', 'Building the GitOps configuration...')}
          errorTitle={t('clusters.gitops.error', 'Could not build the GitOps configuration')}
          onRetry={reload}
        >
          {(cfg) => <GitopsBlocks cfg={cfg} />}
        </Loadable>
      </div>
    </FieldSet>
  );
}

function GitopsBlocks({ cfg }: { cfg: GitopsConfig }) {
  const [tool, setTool] = useState<Tool>('argocd');
  const yaml = tool === 'argocd' ? cfg.argoCD.yaml : cfg.flux.yaml;
  const help =
    tool === 'argocd'
      ? t(
          'clusters.gitops.argocd-help',
          "Merge into the spec of each Argo CD Application that deploys these workloads: the webhook's replicas and resources are not reported as OutOfSync, and a sync keeps them."
        )
      : t(
          'clusters.gitops.flux-help',
          "Merge into the spec of the Flux Kustomization that deploys these workloads (a HelmRelease takes the same rules under spec.driftDetection.ignore): Flux leaves the webhook's values alone."
        );
  return (
    <Stack direction="column" gap={1}>
      <Text color="secondary">
        {t(
          'clusters.gitops.summary',
          'Deployments under control with fields the webhook sets: {{count}}. docs/gitops.md explains both tools.',
          { count: cfg.workloads }
        )}
      </Text>
      <TabsBar>
        {(['argocd', 'flux'] as const).map((k) => (
          <Tab key={k} label={TOOL_NAMES[k]} active={tool === k} onChangeTab={() => setTool(k)} />
        ))}
      </TabsBar>
      <TabContent>
        <Stack direction="column" gap={1}>
          <Text color="secondary">{help}</Text>
          <pre data-testid={testIds.clusters.gitopsYaml}>{yaml}</pre>
          <div>
            <ClipboardButton
              icon="copy"
              variant="secondary"
              getText={() => yaml}
              aria-label={t('clusters.gitops.copy-label', 'Copy the {{tool}} block', { tool: TOOL_NAMES[tool] })}
            >
              {t('clusters.gitops.copy', 'Copy')}
            </ClipboardButton>
          </div>
        </Stack>
      </TabContent>
      {cfg.notes.length > 0 && (
        <Alert severity="info" title={t('clusters.gitops.notes', 'Not generated')}>
          <ul>
            {cfg.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </Alert>
      )}
    </Stack>
  );
}
