// Grafana runtime services the plugin uses, implemented over the devhost's HTTP API.
import { lastValueFrom, Observable } from 'rxjs';
import type { ScopedVars } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse, TemplateSrv } from '@grafana/runtime';

/** BackendSrv.fetch over window.fetch: JSON in and out, errors as Grafana's FetchError. */
export function createBackendSrv(): BackendSrv {
  const fetchFn = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((subscriber) => {
      const controller = new AbortController();
      const headers = new Headers(options.headers as Record<string, string> | undefined);
      let body: BodyInit | undefined;
      if (options.data !== undefined) {
        headers.set('Content-Type', 'application/json');
        body = JSON.stringify(options.data);
      }
      let url = options.url;
      if (options.params && Object.keys(options.params).length > 0) {
        const qs = new URLSearchParams(options.params as Record<string, string>).toString();
        url += (url.includes('?') ? '&' : '?') + qs;
      }
      fetch(url, {
        method: options.method ?? 'GET',
        headers,
        body,
        signal: controller.signal,
        credentials: 'same-origin',
      })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : null;
          } catch {
            // Not JSON: keep the text, as Grafana does.
          }
          const response: FetchResponse<T> = {
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          };
          if (!res.ok) {
            const err: FetchError = { status: res.status, statusText: res.statusText, data, config: options };
            subscriber.error(err);
            return;
          }
          subscriber.next(response);
          subscriber.complete();
        })
        .catch((err: unknown) => subscriber.error(err));
      return () => controller.abort();
    });

  const call =
    (method: string) =>
    async (url: string, data?: unknown): Promise<unknown> =>
      (await lastValueFrom(fetchFn({ url, method, data }))).data;

  return {
    fetch: fetchFn,
    get: (url: string, params?: Record<string, string>) =>
      lastValueFrom(fetchFn({ url, method: 'GET', params })).then((r) => r.data),
    delete: call('DELETE'),
    post: call('POST'),
    patch: call('PATCH'),
    put: call('PUT'),
    request: (options: BackendSrvRequest) => lastValueFrom(fetchFn(options)).then((r) => r.data),
    datasourceRequest: (options: BackendSrvRequest) => lastValueFrom(fetchFn(options)),
    chunked: () => {
      throw new Error('chunked requests are not supported by the test host');
    },
  } as unknown as BackendSrv;
}

/** A template service over one dashboard's variable values. */
export function createTemplateSrv(values: () => Record<string, string>): TemplateSrv {
  const replace = (target?: string, _scoped?: ScopedVars) =>
    (target ?? '').replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (m, a, b) => values()[a ?? b] ?? m);
  return {
    replace,
    getVariables: () => [],
    containsTemplate: (t?: string) => Boolean(t && /\$\w|\$\{/.test(t)),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv;
}
