import React, { createContext, useContext, useMemo } from 'react';

import type { ApiError } from '../api/client';
import { getMe } from '../api/status';
import type { Me } from '../api/types';
import type { AppSettings, ClusterConnection } from '../types';
import { useAsync } from './useAsync';

export interface AppContextValue {
  /** Cluster connections from the app's settings (jsonData; secrets never reach the browser). */
  clusters: ClusterConnection[];
  /** The caller as the backend sees it; undefined while loading or when v1/me failed. */
  me?: Me;
  meError?: ApiError;
}

const AppContext = createContext<AppContextValue>({ clusters: [] });

interface ProviderProps {
  jsonData?: Partial<AppSettings>;
  children: React.ReactNode;
}

/** Loads v1/me once for the whole app and shares it with the plugin settings' clusters. */
export function AppContextProvider({ jsonData, children }: ProviderProps) {
  const { state } = useAsync(getMe, []);
  const clusters = jsonData?.clusters;
  const value = useMemo<AppContextValue>(
    () => ({
      clusters: Array.isArray(clusters) ? clusters.filter((c) => c && typeof c.name === 'string' && c.name) : [],
      me: state.kind === 'ready' ? state.data : undefined,
      meError: state.kind === 'error' ? state.error : undefined,
    }),
    [clusters, state]
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

/** For tests and the test host: a fixed context without calling the backend. */
export function StaticAppContext({ value, children }: { value: AppContextValue; children: React.ReactNode }) {
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useAppContext(): AppContextValue {
  return useContext(AppContext);
}

export interface Permissions {
  login: string;
  /** Editor: control-table edits, actions, schedules, collections. */
  canWrite: boolean;
  /** Admin: cluster settings, enforcement switches, notifications. */
  canAdmin: boolean;
  /** v1/me has answered; until then write buttons stay hidden. */
  known: boolean;
}

/**
 * What the caller may do, from v1/me (the same role checks the backend makes). Until it answers,
 * or when it fails, nothing beyond reading is offered: the backend would refuse it anyway.
 */
export function usePermissions(): Permissions {
  const { me } = useAppContext();
  return {
    login: me?.login ?? '',
    canWrite: Boolean(me?.canWrite),
    canAdmin: Boolean(me?.canAdmin),
    known: me !== undefined,
  };
}
