import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError, type BackendSrvRequest } from '@grafana/runtime';

/**
 * A failed call, with the backend's typed error body `{error, code, field}` when it sent one, and
 * the whole body (a 409 carries the current object in `current`).
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly field?: string,
    readonly body?: unknown
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The object a 409 answer carries as `current`, if any. */
  current<T>(): T | undefined {
    if (this.status !== 409 || typeof this.body !== 'object' || this.body === null) {
      return undefined;
    }
    return (this.body as { current?: T }).current;
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
      return new ApiError(body.message, err.status, body.code, body.field, err.data);
    }
    const text = err.statusText || err.message || 'request failed';
    return new ApiError(`${text} (HTTP ${err.status})`, err.status, undefined, undefined, err.data);
  }
  return new ApiError(err instanceof Error ? err.message : String(err), 0);
}

// The plugin backend answers `{error, code, field}`; Grafana's own API (plugin settings) `{message}`.
function errorBody(data: unknown): { message: string; code?: string; field?: string } | undefined {
  if (typeof data !== 'object' || data === null) {
    return undefined;
  }
  const { error, code, message, field } = data as {
    error?: unknown;
    code?: unknown;
    message?: unknown;
    field?: unknown;
  };
  const text = typeof error === 'string' ? error : typeof message === 'string' ? message : undefined;
  if (!text) {
    return undefined;
  }
  return {
    message: text,
    code: typeof code === 'string' ? code : undefined,
    field: typeof field === 'string' && field ? field : undefined,
  };
}
