import { Subject } from 'rxjs';
import { type BackendSrvRequest, type FetchResponse, setBackendSrv } from '@grafana/runtime';

import { API_BASE_URL } from '../constants';
import { fakeBackendSrv, fetchError, type FakeReply } from './fakeBackendSrv';

/** A route's answer: fixed, or computed from the request (`query` is the parsed query string). */
export type ReplyFn = (req: BackendSrvRequest, query: URLSearchParams) => FakeReply;
export type Reply = FakeReply | ReplyFn;

export interface FakeApi {
  requests: BackendSrvRequest[];
  /** Requests to one route key, e.g. `calls('PUT control/prod/shop/checkout')`. */
  calls: (key: string) => Array<{ req: BackendSrvRequest; query: URLSearchParams }>;
}

/**
 * Installs a BackendSrv that answers the backend's routes from `routes`, keyed `METHOD path` with
 * the path relative to `/api/plugins/<id>/resources/v1/` and without the query, e.g.
 * `GET control` or `POST actions/scale`. A route not listed answers 404 the way the backend does.
 */
export function fakeApi(routes: Record<string, Reply>): FakeApi {
  const { srv, requests } = fakeBackendSrv((req) => {
    const { key, query } = split(req);
    const reply = routes[key];
    if (!reply) {
      return { error: fetchError(req, 404, { error: `no route ${key}`, code: 'not_found' }) };
    }
    return typeof reply === 'function' ? reply(req, query) : reply;
  });
  setBackendSrv(srv);
  return {
    requests,
    calls: (key) => requests.map((req) => ({ req, ...split(req) })).filter((c) => c.key === key),
  };
}

function split(req: BackendSrvRequest): { key: string; query: URLSearchParams } {
  const url = new URL(req.url, 'http://grafana');
  const prefix = `${API_BASE_URL}/`;
  const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
  return { key: `${req.method ?? 'GET'} ${decodeURIComponent(path)}`, query: url.searchParams };
}

export const ok = (data: unknown): FakeReply => ({ data });

/** The backend's typed error `{error, code, field?, current?}`. */
export function fail(status: number, error: string, extra: Record<string, unknown> = {}): ReplyFn {
  const code =
    { 400: 'bad_request', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 503: 'unavailable' }[status] ??
    'internal';
  return (req) => ({ error: fetchError(req, status, { error, code, ...extra }) });
}

/** An answer held back until the test sends it: for loading states. */
export function pending(): { reply: ReplyFn; resolve: (data: unknown) => void } {
  const subject = new Subject<FetchResponse<unknown>>();
  let last: BackendSrvRequest | undefined;
  return {
    reply: (req) => {
      last = req;
      return { observable: subject };
    },
    resolve: (data) => {
      subject.next({
        data,
        status: 200,
        statusText: 'OK',
        ok: true,
        headers: new Headers(),
        redirected: false,
        type: 'basic',
        url: last?.url ?? '',
        config: last ?? { url: '' },
      });
      subject.complete();
    },
  };
}
