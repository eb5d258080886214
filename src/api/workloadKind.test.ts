import { fakeApi, ok } from '../testing/fakeApi';
import { restartWorkloads, scaleWorkloads } from './actions';
import { deleteControl, getControl, getPublishedPolicy, listControl } from './control';
import { backtestRow } from './decide';
import { getPeakSeries } from './peaks';
import { createSchedule } from './schedules';
import {
  kindOf,
  kindParam,
  parseWorkloadTarget,
  recommendReplicas,
  replicasOf,
  withKind,
  workloadTarget,
} from './workloadKind';

const R = { manual: 2, recommended: -1, observed: 2, effective: 2, source: 'manual' as const };

describe('workload kinds', () => {
  test('a missing, empty or unknown kind reads as Deployment', () => {
    expect(kindOf({})).toBe('Deployment');
    expect(kindOf({ kind: '' })).toBe('Deployment');
    expect(kindOf({ kind: 'CronJob' })).toBe('Deployment');
    expect(kindOf({ kind: 'StatefulSet' })).toBe('StatefulSet');
  });

  test('kind is sent only for non-Deployments, and a body item loses a Deployment kind', () => {
    expect(kindParam('Deployment')).toBeUndefined();
    expect(kindParam(undefined)).toBeUndefined();
    expect(kindParam('DaemonSet')).toBe('DaemonSet');
    expect(withKind({ namespace: 'a', kind: 'Deployment' }, 'Deployment')).toStrictEqual({ namespace: 'a' });
    expect(withKind({ namespace: 'a' }, 'StatefulSet')).toStrictEqual({ namespace: 'a', kind: 'StatefulSet' });
  });

  test('targets are namespace/name for Deployments and namespace/Kind/name otherwise, and read back', () => {
    expect(workloadTarget('shop', 'web')).toBe('shop/web');
    expect(workloadTarget('shop', 'db', 'StatefulSet')).toBe('shop/StatefulSet/db');
    expect(parseWorkloadTarget('shop/DaemonSet/agent')).toEqual({
      namespace: 'shop',
      workload: 'agent',
      kind: 'DaemonSet',
    });
    expect(parseWorkloadTarget('shop/web')).toEqual({ namespace: 'shop', workload: 'web', kind: 'Deployment' });
    expect(parseWorkloadTarget('shop/Job/x')).toBeUndefined();
  });

  test('a DaemonSet has no replicas even if a backend sent some', () => {
    expect(replicasOf({ kind: 'DaemonSet', replicas: R })).toBeUndefined();
    expect(replicasOf({ replicas: R })).toBe(R);
    expect(recommendReplicas({ kind: 'DaemonSet', replicas: { now: 1 } })).toBeUndefined();
    expect(recommendReplicas({ kind: 'StatefulSet', replicas: { now: 1 } })).toEqual({ now: 1 });
  });
});

describe('API client with kinds', () => {
  test('per-workload routes carry ?kind= for non-Deployments only', async () => {
    const api = fakeApi({
      'GET control/c/ns/db': ok({}),
      'GET control/c/ns/db/policy': ok({}),
      'DELETE control/c/ns/db': ok({}),
      'POST control/c/ns/db/backtest': ok({}),
      'GET peaks/series': ok({ items: [] }),
    });
    const sts = { cluster: 'c', namespace: 'ns', workload: 'db', kind: 'StatefulSet' as const };
    await getControl(sts);
    await getControl({ ...sts, kind: 'Deployment' });
    await getPublishedPolicy(sts);
    await deleteControl(sts, 3);
    await backtestRow({ ...sts, kind: 'DaemonSet' }, {});
    await getPeakSeries({ ...sts, from: '2026-01-01', to: '2026-01-02' });

    const kinds = api.requests.map((r) => new URL(r.url, 'http://g').searchParams.get('kind'));
    expect(kinds).toEqual(['StatefulSet', null, 'StatefulSet', 'StatefulSet', 'DaemonSet', 'StatefulSet']);
    expect(new URL(api.requests[3].url, 'http://g').searchParams.get('expectedVersion')).toBe('3');
  });

  test('the control list sends a kind filter as given, including Deployment', async () => {
    const api = fakeApi({ 'GET control': ok({ items: [], total: 0 }) });
    await listControl({ cluster: 'c', kind: 'Deployment' });
    expect(api.calls('GET control')[0].query.get('kind')).toBe('Deployment');
  });

  test('action and schedule bodies name each item kind, leaving it out for Deployments', async () => {
    const api = fakeApi({
      'POST actions/scale': ok({ results: [] }),
      'POST actions/restart': ok({ results: [] }),
      'POST schedules': ok({}),
    });
    const web = { cluster: 'c', namespace: 'ns', workload: 'web', kind: 'Deployment' as const };
    const db = { cluster: 'c', namespace: 'ns', workload: 'db', kind: 'StatefulSet' as const };
    await scaleWorkloads({
      items: [
        { ...web, replicas: 1 },
        { ...db, replicas: 2 },
      ],
      temporary: false,
      intervalSeconds: 0,
    });
    await restartWorkloads({ items: [web, { ...db, kind: 'DaemonSet' }], intervalSeconds: 0 });
    await createSchedule({
      cluster: 'c',
      name: 'n',
      action: 'restart',
      kind: 'once',
      runAt: null,
      cron: '',
      timeZone: 'UTC',
      items: [
        { namespace: 'ns', workload: 'web' },
        { namespace: 'ns', workload: 'db', kind: 'StatefulSet' },
      ],
      temporary: false,
      intervalSeconds: 0,
      enabled: true,
    });
    const [scale, restart, schedule] = api.requests.map((r) => r.data as { items: unknown[] });
    expect(scale.items).toStrictEqual([
      { cluster: 'c', namespace: 'ns', workload: 'web', replicas: 1 },
      { cluster: 'c', namespace: 'ns', workload: 'db', kind: 'StatefulSet', replicas: 2 },
    ]);
    expect(restart.items).toStrictEqual([
      { cluster: 'c', namespace: 'ns', workload: 'web' },
      { cluster: 'c', namespace: 'ns', workload: 'db', kind: 'DaemonSet' },
    ]);
    expect(schedule.items).toStrictEqual([
      { namespace: 'ns', workload: 'web' },
      { namespace: 'ns', workload: 'db', kind: 'StatefulSet' },
    ]);
    // The schedule's own kind (once/cron) is not a workload kind and stays.
    expect((api.requests[2].data as { kind: string }).kind).toBe('once');
  });
});
