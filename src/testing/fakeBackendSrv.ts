import { Observable, of, throwError } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';

/** What a faked route answers: a body, an HTTP error, or a hand-driven Observable. */
export type FakeReply = { data: unknown } | { error: FetchError } | { observable: Observable<FetchResponse<unknown>> };

export type FakeHandler = (req: BackendSrvRequest) => FakeReply;

/**
 * A BackendSrv whose `fetch` is answered by `handler` and records every request. Any other method
 * throws, so code that drifts away from `fetch` fails the test instead of silently passing.
 */
export function fakeBackendSrv(handler: FakeHandler): { srv: BackendSrv; requests: BackendSrvRequest[] } {
  const requests: BackendSrvRequest[] = [];

  const fetch = <T>(req: BackendSrvRequest): Observable<FetchResponse<T>> => {
    requests.push(req);
    const reply = handler(req);
    if ('observable' in reply) {
      return reply.observable as Observable<FetchResponse<T>>;
    }
    if ('error' in reply) {
      return throwError(() => reply.error);
    }
    return of(fetchResponse(req, reply.data as T));
  };

  const notFaked = (name: string) => () => {
    throw new Error(`fakeBackendSrv: ${name} is not faked; use fetch`);
  };

  const srv: BackendSrv = {
    fetch,
    get: notFaked('get'),
    delete: notFaked('delete'),
    post: notFaked('post'),
    patch: notFaked('patch'),
    put: notFaked('put'),
    // Deprecated, but still members of the BackendSrv interface.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    request: notFaked('request'),
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    datasourceRequest: notFaked('datasourceRequest'),
    chunked: notFaked('chunked'),
  };
  return { srv, requests };
}

export function fetchResponse<T>(config: BackendSrvRequest, data: T, status = 200): FetchResponse<T> {
  return {
    data,
    status,
    statusText: 'OK',
    ok: status < 400,
    headers: new Headers(),
    redirected: false,
    type: 'basic',
    url: config.url,
    config,
  };
}

export function fetchError(config: Partial<BackendSrvRequest>, status: number, data: unknown): FetchError {
  return { status, statusText: 'Error', data, config: { url: '', ...config } };
}
