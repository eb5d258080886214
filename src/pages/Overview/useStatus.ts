import { useCallback, useEffect, useState } from 'react';

import { getStatus } from '../../api/status';
import { ApiError, toApiError } from '../../api/client';
import type { StatusResponse } from '../../types';

export type StatusState =
  { kind: 'loading' } | { kind: 'error'; error: ApiError } | { kind: 'ready'; status: StatusResponse };

/** Loads v1/status once on mount and on every `reload()`; late answers after unmount are dropped. */
export function useStatus(): { state: StatusState; reload: () => void } {
  const [state, setState] = useState<StatusState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    getStatus().then(
      (status) => active && setState({ kind: 'ready', status }),
      (err: unknown) => active && setState({ kind: 'error', error: toApiError(err) })
    );
    return () => {
      active = false;
    };
  }, [attempt]);

  const reload = useCallback(() => {
    setState({ kind: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  return { state, reload };
}
