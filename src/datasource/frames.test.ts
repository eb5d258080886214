import { FieldType } from '@grafana/data';

import { controlRow, peakRow } from '../testing/fixtures';
import { recItem, report } from '../testing/recommendFixtures';
import {
  dayToTime,
  namespacesFrame,
  peaksFrame,
  recommendationsFrame,
  savingsByNamespaceFrame,
  savingsFrame,
  seriesFrame,
  topFrame,
  totalsFrame,
  variableValues,
} from './frames';

const field = (frame: ReturnType<typeof totalsFrame>, name: string) => frame.fields.find((f) => f.name === name)!;

describe('backend answer → frames', () => {
  test('totals become one time series, sorted by day, at noon UTC of each day', () => {
    const frame = totalsFrame(
      { refId: 'A' },
      {
        items: [
          {
            day: '2026-11-21',
            pods: 40,
            cpuUsage: 8.5,
            cpuRequest: 20,
            cpuLimit: 40,
            memUsage: 3e10,
            memRequest: 5e10,
            memLimit: 8e10,
          },
          {
            day: '2026-11-20',
            pods: 38,
            cpuUsage: 8,
            cpuRequest: 20,
            cpuLimit: 40,
            memUsage: 2.9e10,
            memRequest: 5e10,
            memLimit: 8e10,
          },
        ],
      }
    );
    expect(frame.refId).toBe('A');
    expect(frame.length).toBe(2);
    expect(field(frame, 'Day').type).toBe(FieldType.time);
    expect(field(frame, 'Day').values).toEqual([
      Date.parse('2026-11-20T12:00:00Z'),
      Date.parse('2026-11-21T12:00:00Z'),
    ]);
    expect(field(frame, 'CPU usage').values).toEqual([8, 8.5]);
    expect(field(frame, 'CPU usage').config.unit).toBe('suffix: cores');
    expect(field(frame, 'Memory request').config.unit).toBe('bytes');
    expect(frame.fields.map((f) => f.name)).toEqual([
      'Day',
      'Pods',
      'CPU usage',
      'CPU request',
      'CPU limit',
      'Memory usage',
      'Memory request',
      'Memory limit',
    ]);
  });

  test('a null list (Go nil slice) is an empty frame, not an error', () => {
    expect(totalsFrame({ refId: 'A' }, { items: null }).length).toBe(0);
  });

  test("top keeps the backend's order and takes its unit from the ranking", () => {
    const frame = topFrame(
      { refId: 'B', by: 'memPct' },
      {
        items: [
          { namespace: 'shop', workload: 'checkout', value: 93.5, day: '2026-11-19' },
          { namespace: 'pay', workload: 'ledger', value: 71, day: '2026-11-20' },
        ],
      }
    );
    expect(frame.name).toBe('Top by Memory % of limit');
    expect(field(frame, 'Workload').values).toEqual(['checkout', 'ledger']);
    expect(field(frame, 'Memory % of limit').config.unit).toBe('percent');
  });

  test('namespace shares are ratios (0..1)', () => {
    const frame = namespacesFrame(
      { refId: 'C' },
      {
        items: [
          {
            namespace: 'shop',
            workloads: 4,
            pods: 12,
            cpuUsage: 2,
            memUsage: 1e9,
            cpuRequest: 4,
            memRequest: 2e9,
            cpuShare: 0.25,
            memShare: 0.5,
          },
        ],
      }
    );
    expect(field(frame, 'CPU share').values).toEqual([0.25]);
    expect(field(frame, 'CPU share').config.unit).toBe('percentunit');
  });

  test('a series keeps per-pod worst and average P95 next to request and limit; unmeasured values are gaps', () => {
    const frame = seriesFrame(
      { refId: 'D' },
      {
        items: [
          peakRow({ day: '2026-11-21', container: '', cpuLimit: -1 }),
          peakRow({ day: '2026-11-20', container: '' }),
        ],
      }
    );
    expect(frame.name).toBe('shop/checkout pod');
    expect(field(frame, 'CPU P95 (worst pod)').values).toEqual([0.35, 0.35]);
    expect(field(frame, 'CPU P95 (average pod)').values).toEqual([0.3, 0.3]);
    expect(field(frame, 'CPU limit').values).toEqual([2, null]);
  });

  test('peak rows carry the share of the request used and the total count', () => {
    const frame = peaksFrame(
      { refId: 'E' },
      { items: [peakRow({ cpuMax: 0.25, cpuRequest: 1, container: '' })], total: 321 }
    );
    expect(field(frame, 'CPU used of request').values).toEqual([0.25]);
    expect(field(frame, 'Container').values).toEqual(['(pod)']);
    expect(frame.meta?.custom?.total).toBe(321);
  });

  test('variable values are distinct and sorted; pod totals are not containers', () => {
    expect(
      variableValues(
        { refId: 'V', variable: 'containers' },
        {
          items: [
            peakRow({ container: 'app' }),
            peakRow({ container: '' }),
            peakRow({ container: 'envoy' }),
            peakRow({ container: 'app' }),
          ],
        }
      )
    ).toEqual([
      { text: 'app', value: 'app' },
      { text: 'envoy', value: 'envoy' },
    ]);
    expect(variableValues({ refId: 'V', variable: 'clusters' }, { items: null })).toEqual([]);
  });

  test('a kind column names each workload kind, a missing kind as Deployment; DaemonSets have no replicas', () => {
    const top = topFrame(
      { refId: 'B', by: 'cpu' },
      {
        items: [
          { namespace: 'shop', workload: 'db', kind: 'StatefulSet', value: 2, day: '2026-11-19' },
          { namespace: 'shop', workload: 'web', value: 1, day: '2026-11-19' },
        ],
      }
    );
    expect(field(top, 'Kind').values).toEqual(['StatefulSet', 'Deployment']);
    const rec = recommendationsFrame(
      { refId: 'R' },
      report({ items: [recItem({ workload: 'agent', kind: 'DaemonSet', replicas: undefined }), recItem()] })
    );
    expect(field(rec, 'Kind').values).toEqual(['DaemonSet', 'Deployment']);
    expect(field(rec, 'Replicas now').values).toEqual([null, 12]);
  });

  test('a workloads variable of one kind keeps only that kind, even from a backend that ignored the filter', () => {
    const rows = [controlRow({ workload: 'web' }), controlRow({ workload: 'db', kind: 'StatefulSet' })];
    const page = { items: rows, total: 2 };
    expect(variableValues({ refId: 'V', variable: 'workloads', kind: 'StatefulSet' }, page)).toEqual([
      { text: 'db', value: 'db' },
    ]);
    expect(variableValues({ refId: 'V', variable: 'workloads', kind: '__all' }, page)).toHaveLength(2);
  });

  test('days map to noon UTC', () => {
    expect(new Date(dayToTime('2026-03-08')).toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });

  test('recommendations become a table of workloads in the server order, money in the currency', () => {
    const frame = recommendationsFrame({ refId: 'R' }, report());
    expect(frame.length).toBe(2);
    expect(field(frame, 'Workload').values).toEqual(['web', 'api']);
    expect(field(frame, 'Score').values).toEqual([64.4, null]);
    expect(field(frame, 'Risk').values).toEqual(['low', 'high']);
    expect(field(frame, 'Savings').values).toEqual([70, 0]);
    expect(field(frame, 'Savings').config.unit).toBe('currencyUSD');
    expect(field(frame, 'Monthly now').values).toEqual([200, 200]);
    expect(field(frame, 'Monthly recommended').values).toEqual([130, 130]);
    expect(field(frame, 'Replicas recommended').values).toEqual([8, 4]);
    expect(recommendationsFrame({ refId: 'R' }, report({ items: null })).length).toBe(0);
  });

  test('an unknown currency is written after the number', () => {
    const frame = recommendationsFrame({ refId: 'R' }, report({ currency: 'CNY', items: [recItem()] }));
    expect(field(frame, 'Savings').config.unit).toBe('suffix: CNY');
  });

  test('savings become one row of totals; per namespace one row each with what it saves', () => {
    const totals = savingsFrame({ refId: 'S' }, report());
    expect(totals.length).toBe(1);
    expect(field(totals, 'Monthly now').values).toEqual([400]);
    expect(field(totals, 'Monthly table').values).toEqual([320]);
    expect(field(totals, 'Monthly recommended').values).toEqual([250]);
    expect(field(totals, 'Savings table').values).toEqual([80]);
    expect(field(totals, 'Savings recommended').values).toEqual([150]);
    expect(field(totals, 'CPU now').values).toEqual([10]);
    expect(field(totals, 'Memory recommended').values).toEqual([12]);
    const ns = savingsByNamespaceFrame({ refId: 'N' }, report());
    expect(field(ns, 'Namespace').values).toEqual(['shop']);
    expect(field(ns, 'Savings table').values).toEqual([80]);
    expect(field(ns, 'Savings recommended').values).toEqual([150]);
    expect(savingsByNamespaceFrame({ refId: 'N' }, report({ namespaces: null })).length).toBe(0);
  });
});
