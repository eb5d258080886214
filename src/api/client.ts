import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError, type BackendSrvRequest } from '@grafana/runtime';

/** A failed call, with the backend's typed error body `{error, code}` when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Sends one request through Grafana's BackendSrv (adds auth, org and proxy headers) and returns
 * the decoded body. Pages render errors themselves, so Grafana's global toasts are turned off.
 */
export async function request<T>(options: BackendSrvRequest): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({ showErrorAlert: false, showSuccessAlert: false, ...options })
    );
    return response.data;
  } catch (err) {
    throw toApiError(err);
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (isFetchError(err)) {
    const body = errorBody(err.data);
    if (body) {
      return new ApiError(body.message, err.status, body.code);
    }
    const text = err.statusText || err.message || 'request failed';
    return new ApiError(`${text} (HTTP ${err.status})`, err.status);
  }
  return new ApiError(err instanceof Error ? err.message : String(err), 0);
}

// The plugin backend answers `{error, code}`; Grafana's own API (plugin settings) `{message}`.
function errorBody(data: unknown): { message: string; code?: string } | undefined {
  if (typeof data !== 'object' || data === null) {
    return undefined;
  }
  const { error, code, message } = data as { error?: unknown; code?: unknown; message?: unknown };
  const text = typeof error === 'string' ? error : typeof message === 'string' ? message : undefined;
  return text ? { message: text, code: typeof code === 'string' ? code : undefined } : undefined;
}
