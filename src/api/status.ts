import type { StatusResponse } from '../types';
import { request } from './client';
import type { Me } from './types';
import { apiUrl } from './url';

/** GET v1/status: store and Prometheus reachability, backend version. */
export function getStatus(): Promise<StatusResponse> {
  return request<StatusResponse>({ url: apiUrl('status'), method: 'GET' });
}

/** GET v1/me: the caller's login, role and what it may do. */
export function getMe(): Promise<Me> {
  return request<Me>({ url: apiUrl('me'), method: 'GET' });
}
