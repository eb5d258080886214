import { lastValueFrom } from 'rxjs';
import { type DataFrame, dateTime, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { fail, fakeApi, ok } from '../testing/fakeApi';
import { controlRow, peakRow } from '../testing/fixtures';
import { DataSource, dayRange } from './datasource';
import type { KubeDoorOptions, KubeDoorQuery } from './types';

const settings = {
  id: 1,
  uid: 'kubedoor-capacity',
  type: 'kubedoor-capacity-datasource',
  name: 'KubeDoor Capacity',
  jsonData: {},
  meta: {},
  readOnly: true,
  access: 'proxy',
} as unknown as DataSourceInstanceSettings<KubeDoorOptions>;

// A template service with fixed variables, as a dashboard would hold them.
const vars: Record<string, string> = { cluster: 'prod-a', namespace: 'shop', workload: 'checkout' };
setTemplateSrv({
  replace: (text?: string) => (text ?? '').replace(/\$(\w+)/g, (m, name) => vars[name] ?? m),
  getVariables: () => [],
  containsTemplate: (t?: string) => Boolean(t?.includes('$')),
  updateTimeRange: () => {},
} as unknown as TemplateSrv);

function request(targets: KubeDoorQuery[]): DataQueryRequest<KubeDoorQuery> {
  const from = dateTime(Date.parse('2026-10-23T00:00:00Z'));
  const to = dateTime(Date.parse('2026-11-21T23:00:00Z'));
  return {
    requestId: 'r',
    interval: '1d',
    intervalMs: 86400000,
    range: { from, to, raw: { from: 'now-30d', to: 'now' } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  };
}

describe('KubeDoor datasource', () => {
  test('each panel query reads its route with variables resolved and comes back as a frame', async () => {
    const api = fakeApi({
      'GET peaks/series': ok({ items: [peakRow({ container: '' })] }),
      'GET peaks/top': ok({ items: [{ namespace: 'shop', workload: 'checkout', value: 0.9, day: '2026-11-20' }] }),
    });
    const ds = new DataSource(settings);
    const res = await lastValueFrom(
      ds.query(
        request([
          { refId: 'A', queryType: 'series', cluster: '$cluster', namespace: '$namespace', workload: '$workload' },
          { refId: 'B', queryType: 'top', cluster: '$cluster', by: 'cpu' },
        ])
      )
    );
    expect(res.errors).toEqual([]);
    expect(res.data.map((f) => f.refId)).toEqual(['A', 'B']);
    expect(Object.fromEntries(api.calls('GET peaks/series')[0].query)).toEqual({
      cluster: 'prod-a',
      namespace: 'shop',
      workload: 'checkout',
      from: '2026-10-23',
      to: '2026-11-21',
    });
    expect(api.calls('GET peaks/top')[0].query.get('by')).toBe('cpu');
  });

  test("a failing query reports the backend's sentence on its refId; the others still answer", async () => {
    fakeApi({
      'GET peaks/totals': ok({ items: [] }),
      'GET peaks/namespaces': fail(503, 'store is not ready'),
    });
    const ds = new DataSource(settings);
    const res = await lastValueFrom(
      ds.query(
        request([
          { refId: 'A', queryType: 'totals', cluster: '$cluster' },
          { refId: 'B', queryType: 'namespaces', cluster: '$cluster' },
          { refId: 'C', queryType: 'series', cluster: '$cluster' },
        ])
      )
    );
    expect(res.data.map((f) => f.refId)).toEqual(['A']);
    expect(res.errors).toEqual([
      { refId: 'B', message: 'store is not ready' },
      { refId: 'C', message: 'series needs a namespace' },
    ]);
  });

  test('variables: the standard editor text becomes a query and its values a one-field frame', async () => {
    fakeApi({ 'GET control': ok({ items: [{ workload: 'b' }, { workload: 'a' }], total: 2 }) });
    const ds = new DataSource(settings);
    const q = (ds.variables as { toDataQuery: (q: { refId: string; query: string }) => KubeDoorQuery }).toDataQuery({
      refId: 'V',
      query: 'workloads($cluster, $namespace)',
    });
    const res = await lastValueFrom(ds.query(request([q])));
    expect((res.data[0] as DataFrame).fields.map((f) => [f.name, f.values])).toEqual([['text', ['a', 'b']]]);
    expect(await ds.metricFindQuery('workloads(prod-a, shop)')).toEqual([
      { text: 'a', value: 'a' },
      { text: 'b', value: 'b' },
    ]);
  });

  test('the live panels: table lines over the exact range, none (no error) outside the table', async () => {
    const api = fakeApi({
      'GET control/prod-a/shop/checkout': ok(controlRow()),
      'GET control/prod-a/shop/gone': fail(404, 'not in the control table'),
    });
    const ds = new DataSource(settings);
    const q = { queryType: 'controlLimits', cluster: '$cluster', namespace: '$namespace', resource: 'cpu' } as const;
    const req = request([
      { refId: 'D', ...q, workload: '$workload' },
      { refId: 'E', ...q, workload: 'gone' },
    ]);
    const res = await lastValueFrom(ds.query(req));
    expect(res.errors).toEqual([]);
    const [d, e] = res.data as DataFrame[];
    expect(d.fields.map((f) => [f.name, f.values])).toEqual([
      ['Time', [req.range.from.valueOf(), req.range.to.valueOf()]],
      ['request (control table)', [0.35, 0.35]],
      ['limit (control table)', [2, 2]],
    ]);
    expect(e.length).toBe(0);
    expect(api.calls('GET control/prod-a/shop/checkout')).toHaveLength(1);
  });

  test('annotation queries are supported and read the peak windows of the range', async () => {
    const api = fakeApi({
      'GET clusters/prod-a/peak-windows': ok({
        cluster: 'prod-a',
        timeZone: 'UTC',
        window: { start: '10:00', end: '11:30' },
        setOn: 'cluster',
        items: [{ day: '2026-11-20', start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:30:00Z' }],
      }),
    });
    const ds = new DataSource(settings);
    expect(ds.annotations).toEqual({});
    const req = request([{ refId: 'Anno', queryType: 'peakWindows', cluster: '$cluster' }]);
    const res = await lastValueFrom(ds.query(req));
    expect(res.errors).toEqual([]);
    expect(Object.fromEntries(api.calls('GET clusters/prod-a/peak-windows')[0].query)).toEqual({
      from: String(req.range.from.valueOf()),
      to: String(req.range.to.valueOf()),
    });
    const frame = res.data[0] as DataFrame;
    expect(frame.fields.find((f) => f.name === 'timeEnd')!.values).toEqual([Date.parse('2026-11-20T11:30:00Z')]);
  });

  test('the health check reads v1/status', async () => {
    fakeApi({
      'GET status': ok({
        store: { ok: true, mode: 'embedded', message: '', schemaVersion: 3 },
        prometheus: [],
        version: '0.1.0',
      }),
    });
    expect(await new DataSource(settings).testDatasource()).toEqual({
      status: 'success',
      message: 'KubeDoor app backend 0.1.0: store embedded, schema 3',
    });
    fakeApi({ 'GET status': fail(404, 'plugin not found') });
    expect(await new DataSource(settings).testDatasource()).toMatchObject({ status: 'error' });
  });

  test("the day range is read in the dashboard's zone", () => {
    const from = Date.parse('2026-11-20T20:00:00Z');
    const to = Date.parse('2026-11-21T20:00:00Z');
    expect(dayRange(from, to, 'utc')).toEqual({ from: '2026-11-20', to: '2026-11-21' });
    expect(dayRange(from, to, 'Asia/Shanghai')).toEqual({ from: '2026-11-21', to: '2026-11-22' });
    expect(dayRange(from, to, 'Not/AZone')).toEqual({ from: '2026-11-20', to: '2026-11-21' });
  });
});
