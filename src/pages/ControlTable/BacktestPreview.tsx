import React, { useState } from 'react';
import { t } from '../../i18n';
import { Button, Stack, Text } from '@grafana/ui';

import { toApiError } from '../../api/client';
import { backtestRow } from '../../api/decide';
import type { BacktestProposal } from '../../api/decideTypes';
import type { WorkloadRef } from '../../api/types';
import { testIds } from '../../components/testIds';

interface Props {
  target?: WorkloadRef;
  /** The dialog's values; undefined while one does not parse. */
  proposal?: BacktestProposal;
}

/** The edit dialog's "what would these values have done" line: the proposal against 30 days. */
export function BacktestPreview({ target, proposal }: Props) {
  const key = JSON.stringify(proposal ?? null);
  const [answer, setAnswer] = useState<{ key: string; text: string; failed?: boolean }>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (!target || !proposal) {
      return;
    }
    setBusy(true);
    try {
      const r = await backtestRow(target, { days: 30, proposed: proposal });
      setAnswer({ key, text: r.summary });
    } catch (err) {
      setAnswer({ key, text: toApiError(err).message, failed: true });
    }
    setBusy(false);
  };
  // An answer for other values than the ones shown is stale: hide it.
  const current = answer?.key === key ? answer : undefined;
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <Button
        size="sm"
        variant="secondary"
        icon="history"
        data-testid={testIds.control.backtestRun}
        disabled={!target || !proposal || busy}
        onClick={run}
      >
        {t('control.backtest.run', 'Replay against the last 30 days')}
      </Button>
      {current && (
        <Text data-testid={testIds.control.backtestSummary} color={current.failed ? 'error' : undefined}>
          {current.text}
        </Text>
      )}
    </Stack>
  );
}
