import React from 'react';
import { Alert } from '@grafana/ui';

import { t } from '../../i18n';
import type { Job } from '../../api/types';
import { testIds } from '../../components/testIds';

/** How many kept days the alert lists one by one; the rest are counted. */
const MAX_LISTED = 20;

/** Consecutive YYYY-MM-DD days written as ranges: "2026-01-01 to 2026-01-03, 2026-01-05". */
export function dayRanges(days: string[]): string {
  const sorted = [...days].sort();
  const parts: string[] = [];
  let start = '';
  let prev = '';
  const next = (d: string) => {
    const x = new Date(`${d}T00:00:00Z`);
    x.setUTCDate(x.getUTCDate() + 1);
    return x.toISOString().slice(0, 10);
  };
  const flush = () => {
    if (start) {
      parts.push(start === prev ? start : `${start} to ${prev}`);
    }
  };
  for (const d of sorted) {
    if (prev && d === next(prev)) {
      prev = d;
      continue;
    }
    flush();
    start = d;
    prev = d;
  }
  flush();
  return parts.join(', ');
}

/**
 * What a job did not overwrite: the days Prometheus no longer held, and the days whose stored
 * rows it kept, each with its reason (docs/api.md, "Collection jobs").
 */
export function KeptDays({ job }: { job: Job }) {
  const kept = job.kept ?? [];
  const unavailable = job.unavailable ?? [];
  if (kept.length === 0 && unavailable.length === 0) {
    return null;
  }
  return (
    <div data-testid={testIds.clusters.jobKept}>
      {unavailable.length > 0 && (
        <Alert
          severity="info"
          title={t('clusters.collect.unavailable', 'Days Prometheus holds no data of: {{count}}', {
            count: unavailable.length,
          })}
        >
          {t(
            'clusters.collect.unavailable-help',
            '{{days}}: not collected (beyond its retention, or a wrong cluster label or URL); stored rows of these days stay.',
            { days: dayRanges(unavailable) }
          )}
        </Alert>
      )}
      {kept.length > 0 && (
        <Alert
          severity="warning"
          title={t('clusters.collect.kept', 'Days whose stored rows were kept: {{count}}', { count: kept.length })}
        >
          <ul>
            {kept.slice(0, MAX_LISTED).map((k) => (
              <li key={k.day}>
                {k.day}: {k.reason}
              </li>
            ))}
            {kept.length > MAX_LISTED && (
              <li>{t('clusters.collect.kept-more', 'and {{count}} more days', { count: kept.length - MAX_LISTED })}</li>
            )}
          </ul>
        </Alert>
      )}
    </div>
  );
}
