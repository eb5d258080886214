import React from 'react';
import { LoadingPlaceholder } from '@grafana/ui';

import { ErrorView } from './ErrorView';
import { testIds } from './testIds';
import type { AsyncState } from './useAsync';

interface Props<T> {
  state: AsyncState<T>;
  /** Shown while loading. */
  loadingText: string;
  /** Title of the error box. */
  errorTitle: string;
  onRetry?: () => void;
  children: (data: T) => React.ReactNode;
}

/** Renders loading, error (or forbidden) and data states of one `useAsync` the same way everywhere. */
export function Loadable<T>({ state, loadingText, errorTitle, onRetry, children }: Props<T>) {
  switch (state.kind) {
    case 'loading':
      return (
        <div data-testid={testIds.common.loading}>
          <LoadingPlaceholder text={loadingText} />
        </div>
      );
    case 'error':
      return <ErrorView title={errorTitle} error={state.error} onRetry={onRetry} />;
    default:
      return <>{children(state.data)}</>;
  }
}
