import React from 'react';
import { t } from '../i18n';
import { Alert, Button, Stack } from '@grafana/ui';

import type { ApiError } from '../api/client';
import { testIds } from './testIds';

interface Props {
  /** What could not be done, e.g. "Could not load the control table". */
  title: string;
  error: ApiError;
  onRetry?: () => void;
}

/**
 * The one way pages show a failed call: the backend's sentence, and Retry. A 403 is shown as
 * "not allowed" (a warning, not a fault) with the backend's reason, which names the role needed.
 */
export function ErrorView({ title, error, onRetry }: Props) {
  const forbidden = error.status === 403;
  return (
    <div data-testid={forbidden ? testIds.common.forbidden : testIds.common.error}>
      <Alert
        severity={forbidden ? 'warning' : 'error'}
        title={forbidden ? t('common.error.forbidden-title', 'Not allowed for your role') : title}
      >
        <Stack direction="column" alignItems="flex-start">
          <span>{error.message}</span>
          {onRetry && !forbidden && (
            <Button variant="secondary" size="sm" icon="sync" onClick={onRetry} data-testid={testIds.common.retry}>
              {t('common.retry', 'Retry')}
            </Button>
          )}
        </Stack>
      </Alert>
    </div>
  );
}
