import { API_BASE_URL } from '../constants';
import type { StatusResponse } from '../types';
import { request } from './client';

/** GET v1/status: store and Prometheus reachability, backend version. */
export function getStatus(): Promise<StatusResponse> {
  return request<StatusResponse>({ url: `${API_BASE_URL}/status`, method: 'GET' });
}
