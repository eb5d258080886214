import { useCallback, useEffect, useState } from 'react';

import { ApiError, toApiError } from '../api/client';

export type AsyncState<T> = { kind: 'loading' } | { kind: 'error'; error: ApiError } | { kind: 'ready'; data: T };

const LOADING = { kind: 'loading' } as const;

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * Runs `load` on mount, whenever `deps` change and on every `reload()`, and tracks its state.
 * A result is kept with the deps it was loaded for, so the state reads "loading" as soon as the
 * deps change, and answers that arrive after newer deps (or after unmount) are dropped.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: readonly unknown[]
): { state: AsyncState<T>; reload: () => void; setData: (data: T) => void } {
  const [attempt, setAttempt] = useState(0);
  const key = [...deps, attempt];
  const [result, setResult] = useState<{ key: readonly unknown[]; state: AsyncState<T> }>();

  useEffect(() => {
    let active = true;
    load().then(
      (data) => active && setResult({ key, state: { kind: 'ready', data } }),
      (err: unknown) => active && setResult({ key, state: { kind: 'error', error: toApiError(err) } })
    );
    return () => {
      active = false;
    };
    // `load` and `key` are fresh each render; the key's contents say when a load means something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, key);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  // Results are keyed by the deps of the render that made them, so a late call is ignored.
  const setData = (data: T) => setResult({ key, state: { kind: 'ready', data } });
  const state = result && sameDeps(result.key, key) ? result.state : LOADING;
  return { state, reload, setData };
}
