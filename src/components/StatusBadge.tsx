import React from 'react';
import { t } from '../i18n';
import { Badge, type BadgeColor, type IconName } from '@grafana/ui';

import type { JobState } from '../api/types';

interface Props {
  ok: boolean;
}

/** Green "OK" / red "Failing": the one health vocabulary used across pages. */
export function StatusBadge({ ok }: Props) {
  return ok ? (
    <Badge text={t('common.ok', 'OK')} color="green" icon="check" />
  ) : (
    <Badge text={t('common.failing', 'Failing')} color="red" icon="exclamation-triangle" />
  );
}

const JOB_LOOK: Record<JobState, { color: BadgeColor; icon: IconName }> = {
  queued: { color: 'blue', icon: 'clock-nine' },
  running: { color: 'blue', icon: 'sync' },
  succeeded: { color: 'green', icon: 'check' },
  failed: { color: 'red', icon: 'exclamation-triangle' },
  cancelled: { color: 'orange', icon: 'times' },
};

/** A collection job's state. */
export function JobStateBadge({ state }: { state: JobState }) {
  const look = JOB_LOOK[state] ?? { color: 'purple', icon: 'question-circle' };
  return <Badge text={state} color={look.color} icon={look.icon} />;
}
