import { from, lastValueFrom, type Observable } from 'rxjs';
import {
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceInstanceSettings,
  LoadingState,
  type MetricFindValue,
  type ScopedVars,
  StandardVariableSupport,
  type StandardVariableQuery,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv } from '@grafana/runtime';

import { toApiError } from '../api/client';
import type { DayRange } from '../api/types';
import type { StatusResponse } from '../types';
import { dayInZone } from '../components/zonedTime';
import { apiUrl } from '../api/url';
import {
  namespacesFrame,
  peaksFrame,
  nodesFrame,
  recommendationsFrame,
  savingsByNamespaceFrame,
  savingsFrame,
  seriesFrame,
  topFrame,
  totalsFrame,
  variableFrame,
  variableValues,
} from './frames';
import { controlLimitsFrame, peakWindowsFrame, type Span } from './live';
import { QueryError, requestUrl } from './requests';
import { DEFAULT_QUERY, type KubeDoorOptions, type KubeDoorQuery } from './types';
import { parseVariableQuery } from './variables';

/** Template variables in dashboards use the standard editor: a text query such as `namespaces($cluster)`. */
export class KubeDoorVariableSupport extends StandardVariableSupport<DataSource> {
  toDataQuery(query: StandardVariableQuery): KubeDoorQuery {
    return { ...parseVariableQuery(query.query), refId: query.refId };
  }
}

/**
 * Frontend-only datasource over the KubeDoor app's backend: each query is one read of the app's
 * peak API (`/api/plugins/kubedoor-capacity-app/resources/v1/peaks/...`) turned into frames.
 * It sends no SQL and holds no credentials; Grafana's session and the app's role checks apply.
 */
export class DataSource extends DataSourceApi<KubeDoorQuery, KubeDoorOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<KubeDoorOptions>) {
    super(instanceSettings);
    this.variables = new KubeDoorVariableSupport();
    // Annotation queries use the query editor and run through query(): the peakWindows query
    // answers regions (time, timeEnd, title, text).
    this.annotations = {};
  }

  getDefaultQuery(): Partial<KubeDoorQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(q: KubeDoorQuery): boolean {
    return !q.hide;
  }

  query(request: DataQueryRequest<KubeDoorQuery>): Observable<DataQueryResponse> {
    return from(this.run(request));
  }

  private async run(request: DataQueryRequest<KubeDoorQuery>): Promise<DataQueryResponse> {
    const span: Span = { fromMs: request.range.from.valueOf(), toMs: request.range.to.valueOf() };
    const range = dayRange(span.fromMs, span.toMs, request.timezone);
    const targets = request.targets.filter((t) => !t.hide);
    const results = await Promise.all(
      targets.map((t) => this.runOne(this.resolve(t, request.scopedVars), range, span))
    );
    const data: DataFrame[] = [];
    const errors = [];
    for (const [i, r] of results.entries()) {
      if ('frame' in r) {
        data.push(r.frame);
      } else {
        errors.push({ refId: targets[i].refId, message: r.error });
      }
    }
    return { data, errors, state: errors.length > 0 ? LoadingState.Error : LoadingState.Done };
  }

  /** Interpolates template variables into every string field of a query. */
  resolve(q: KubeDoorQuery, scopedVars?: ScopedVars): KubeDoorQuery {
    const t = getTemplateSrv();
    const r = (v: string | undefined) => (v === undefined ? undefined : t.replace(v, scopedVars));
    return {
      ...q,
      cluster: r(q.cluster),
      namespace: r(q.namespace),
      workload: r(q.workload),
      kind: r(q.kind),
      container: r(q.container),
    };
  }

  private async runOne(
    q: KubeDoorQuery,
    range: DayRange,
    span: Span
  ): Promise<{ frame: DataFrame } | { error: string }> {
    let url: string;
    try {
      url = requestUrl(q, range, span);
    } catch (err) {
      return { error: err instanceof QueryError ? err.message : String(err) };
    }
    try {
      const body = await this.get(url);
      return { frame: toFrame(q, body, span) };
    } catch (err) {
      const e = toApiError(err);
      // A workload outside the control table has no table lines: not an error of the panel.
      if (q.queryType === 'controlLimits' && e.status === 404) {
        return { frame: controlLimitsFrame(q, undefined, span) };
      }
      return { error: e.message };
    }
  }

  /** Used by Grafana for variables when it calls the datasource directly. */
  async metricFindQuery(
    query: string | KubeDoorQuery,
    options?: { range?: DataQueryRequest['range']; scopedVars?: ScopedVars }
  ): Promise<MetricFindValue[]> {
    const parsed = typeof query === 'string' ? parseVariableQuery(query) : query;
    const q = this.resolve(parsed, options?.scopedVars);
    const now = Date.now();
    const range = options?.range
      ? dayRange(options.range.from.valueOf(), options.range.to.valueOf(), 'browser')
      : dayRange(now - 30 * 86400_000, now, 'browser');
    return variableValues(q, await this.get(requestUrl(q, range)));
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const status = (await this.get(apiUrl('status'))) as StatusResponse;
      if (!status.store?.ok) {
        return {
          status: 'error',
          message: `The KubeDoor app answers, but its store is not ready: ${status.store?.message ?? ''}`,
        };
      }
      return {
        status: 'success',
        message: `KubeDoor app backend ${status.version}: store ${status.store.mode}, schema ${status.store.schemaVersion}`,
      };
    } catch (err) {
      return { status: 'error', message: `The KubeDoor app backend did not answer: ${toApiError(err).message}` };
    }
  }

  private async get(url: string): Promise<unknown> {
    const res = await lastValueFrom(
      getBackendSrv().fetch<unknown>({ url, method: 'GET', showErrorAlert: false, showSuccessAlert: false })
    );
    return res.data;
  }
}

/** One answer → one frame, by query type; `span` is the range the query was for. */
export function toFrame(q: KubeDoorQuery, body: unknown, span?: Span): DataFrame {
  switch (q.queryType ?? 'totals') {
    case 'controlLimits':
      return controlLimitsFrame(q, body as never, span ?? { fromMs: Date.now() - 3600_000, toMs: Date.now() });
    case 'peakWindows':
      return peakWindowsFrame(q, body as never);
    case 'top':
      return topFrame(q, body as never);
    case 'namespaces':
      return namespacesFrame(q, body as never);
    case 'series':
      return seriesFrame(q, body as never);
    case 'peaks':
      return peaksFrame(q, body as never);
    case 'recommendations':
      return recommendationsFrame(q, body as never);
    case 'savings':
      return savingsFrame(q, body as never);
    case 'savingsByNamespace':
      return savingsByNamespaceFrame(q, body as never);
    case 'nodes':
      return nodesFrame(q, body as never);
    case 'variable':
      return variableFrame(q, variableValues(q, body));
    default:
      return totalsFrame(q, body as never);
  }
}

/**
 * The calendar days a time range covers in the dashboard's zone ('browser', 'utc' or an IANA
 * name), both ends included.
 */
export function dayRange(fromMs: number, toMs: number, timezone: string | undefined): DayRange {
  const zone =
    !timezone || timezone === 'browser'
      ? Intl.DateTimeFormat().resolvedOptions().timeZone
      : timezone.toLowerCase() === 'utc'
        ? 'UTC'
        : timezone;
  try {
    return { from: dayInZone(fromMs, zone), to: dayInZone(toMs, zone) };
  } catch {
    return { from: dayInZone(fromMs, 'UTC'), to: dayInZone(toMs, 'UTC') };
  }
}
