import { API_BASE_URL } from '../constants';

type QueryValue = string | number | boolean | undefined | null;

/**
 * The backend URL of `path` (segments already joined with `seg`) with the query parameters that
 * have a value, in the order given. Built here rather than through BackendSrv's `params` so that
 * empty filters are left out and every URL is predictable in tests and logs.
 */
export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.append(key, String(value));
    }
  }
  const qs = params.toString();
  return `${API_BASE_URL}/${path}${qs ? `?${qs}` : ''}`;
}

/** Joins path segments, escaping each (namespaces and names never contain '/', ids might). */
export function seg(...parts: Array<string | number>): string {
  return parts.map((p) => encodeURIComponent(String(p))).join('/');
}
