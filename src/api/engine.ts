import { request } from './client';
import { apiUrl } from './url';

/** One place the backend looks for libchdb.so. */
export interface EnginePlace {
  path: string;
  source: string;
  exists: boolean;
}

/** The pinned engine package the backend fetches. */
export interface EnginePackage {
  name: string;
  version: string;
  url: string;
  integrity: string;
  size: number;
}

export type EngineFetchState = 'idle' | 'fetching' | 'installed' | 'failed';

export interface EngineFetch {
  state: EngineFetchState;
  phase?: 'downloading' | 'verifying' | 'extracting';
  bytesDone: number;
  bytesTotal: number;
  target?: string;
  checksum?: string;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** GET v1/engine (docs/api.md, "Embedded engine"). */
export interface EngineState {
  mode: string;
  found: boolean;
  path?: string;
  source?: string;
  places: EnginePlace[];
  installDir: string;
  package: EnginePackage;
  fetch: EngineFetch;
  loaded?: { version: string; library?: string };
  canFetch: boolean;
}

/** GET v1/engine (Admin): where the engine is, the pinned package and the fetch's progress. */
export function getEngine(): Promise<EngineState> {
  return request<EngineState>({ url: apiUrl('engine'), method: 'GET' });
}

/** POST v1/engine/fetch (Admin): starts fetching the package version the admin was shown. */
export function fetchEngine(version: string): Promise<EngineState> {
  return request<EngineState>({ url: apiUrl('engine/fetch'), method: 'POST', data: { version } });
}
