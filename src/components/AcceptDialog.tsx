import React, { useState } from 'react';
import { t } from '../i18n';
import { Alert, Button, Icon, Modal, Stack, Text } from '@grafana/ui';

import { toApiError } from '../api/client';
import { acceptRecommendations } from '../api/recommend';
import { type AcceptResult, MAX_ACCEPT } from '../api/recommendTypes';
import { type WorkloadKind, workloadTarget } from '../api/workloadKind';
import { testIds } from './testIds';

/** A row whose recommendation would be accepted: replicas `from` → `to`. */
export interface AcceptItem {
  namespace: string;
  workload: string;
  /** Undefined for Deployments. */
  kind?: WorkloadKind;
  version: number;
  from: number;
  to: number;
}

interface Props {
  cluster: string;
  items: AcceptItem[];
  onClose: () => void;
  /** Some rows were accepted: the caller reloads. */
  onDone: () => void;
}

/** Confirms accepting recommended replicas (they become the rows' manual replicas), then reports each row. */
export function AcceptDialog({ cluster, items, onClose, onDone }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<AcceptResult>();
  const tooMany = items.length > MAX_ACCEPT;

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await acceptRecommendations(
        cluster,
        items.map(({ namespace, workload, kind, version }) => ({ namespace, workload, kind, version }))
      );
      setResult(res);
      if ((res.accepted ?? []).length > 0) {
        onDone();
      }
    } catch (err) {
      setError(toApiError(err).message);
    }
    setBusy(false);
  };

  return (
    <Modal
      title={t('accept.title', 'Accept {{count}} recommendations', { count: items.length })}
      isOpen
      onDismiss={onClose}
    >
      <div data-testid={testIds.accept.dialog}>
        <Text color="secondary">
          {t(
            'accept.help',
            "Each row's recommended replicas become its manual replicas in the control table (a new version); enforced namespaces then scale to them."
          )}
        </Text>
        <Stack direction="column" gap={0.5}>
          {items.map((i) => (
            <Text key={workloadTarget(i.namespace, i.workload, i.kind)}>
              {t('accept.line', '{{target}}: {{from}} → {{to}} replicas', {
                target: workloadTarget(i.namespace, i.workload, i.kind),
                from: i.from,
                to: i.to,
              })}
            </Text>
          ))}
        </Stack>
        {tooMany && (
          <Alert severity="warning" title={t('accept.too-many', 'At most {{max}} rows at once', { max: MAX_ACCEPT })} />
        )}
        {error && (
          <Alert severity="error" title={t('accept.failed', 'Nothing was accepted')}>
            {error}
          </Alert>
        )}
        {result && <AcceptResults result={result} />}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onClose}>
            {result ? t('common.close', 'Close') : t('common.cancel', 'Cancel')}
          </Button>
          {!result && (
            <Button data-testid={testIds.accept.run} disabled={busy || tooMany || items.length === 0} onClick={run}>
              {busy ? t('accept.running', 'Accepting...') : t('accept.confirm', 'Accept')}
            </Button>
          )}
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}

function AcceptResults({ result }: { result: AcceptResult }) {
  const accepted = result.accepted ?? [];
  const refused = result.refused ?? [];
  return (
    <div data-testid={testIds.accept.results}>
      <Text element="h5">
        {t('accept.summary', '{{accepted}} accepted, {{refused}} refused', {
          accepted: accepted.length,
          refused: refused.length,
        })}
      </Text>
      <Stack direction="column" gap={0.5}>
        {accepted.map((a) => (
          <Text key={`a ${workloadTarget(a.namespace, a.workload, a.kind)}`} color="success">
            <Icon name="check" />{' '}
            {t('accept.accepted', '{{target}}: {{replicas}} replicas (version {{version}})', {
              target: workloadTarget(a.namespace, a.workload, a.kind),
              replicas: a.replicas,
              version: a.version,
            })}
          </Text>
        ))}
        {refused.map((r) => (
          <Text key={`r ${workloadTarget(r.namespace, r.workload, r.kind)}`} color="error">
            <Icon name="exclamation-triangle" />{' '}
            {`${workloadTarget(r.namespace, r.workload, r.kind)} (${r.code}): ${r.reason}`}
          </Text>
        ))}
      </Stack>
    </div>
  );
}
