import { QueryError, requestUrl } from './requests';
import type { KubeDoorQuery } from './types';

const API = '/api/plugins/kubedoor-capacity-app/resources/v1';
const range = { from: '2026-10-23', to: '2026-11-21' };
const q = (over: Partial<KubeDoorQuery>): KubeDoorQuery => ({ refId: 'A', cluster: 'prod-a', ...over });

describe('query → backend request', () => {
  test.each<[string, Partial<KubeDoorQuery>, string]>([
    ['totals of a cluster (the default type)', {}, `${API}/peaks/totals?cluster=prod-a&from=2026-10-23&to=2026-11-21`],
    [
      'totals of one namespace',
      { queryType: 'totals', namespace: 'shop' },
      `${API}/peaks/totals?cluster=prod-a&namespace=shop&from=2026-10-23&to=2026-11-21`,
    ],
    [
      '"All" namespaces means no filter',
      { namespace: '__all' },
      `${API}/peaks/totals?cluster=prod-a&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'top 10 by memory',
      { queryType: 'top', by: 'memory' },
      `${API}/peaks/top?cluster=prod-a&from=2026-10-23&to=2026-11-21&by=memory&limit=10`,
    ],
    [
      'top limits are clamped',
      { queryType: 'top', by: 'pods', limit: 5000 },
      `${API}/peaks/top?cluster=prod-a&from=2026-10-23&to=2026-11-21&by=pods&limit=100`,
    ],
    [
      'namespace shares',
      { queryType: 'namespaces' },
      `${API}/peaks/namespaces?cluster=prod-a&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'a workload series, pod total',
      { queryType: 'series', namespace: 'shop', workload: 'checkout', container: '' },
      `${API}/peaks/series?cluster=prod-a&namespace=shop&workload=checkout&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'a workload series, one container',
      { queryType: 'series', namespace: 'shop', workload: 'checkout', container: 'istio-proxy' },
      `${API}/peaks/series?cluster=prod-a&namespace=shop&workload=checkout&container=istio-proxy&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'peak rows, paged',
      { queryType: 'peaks', namespace: 'shop', limit: 50 },
      `${API}/peaks?cluster=prod-a&namespace=shop&from=2026-10-23&to=2026-11-21&limit=50`,
    ],
    [
      'recommendations of a namespace by risk, over the range (30 days)',
      { queryType: 'recommendations', namespace: 'shop', sort: 'risk' },
      `${API}/clusters/prod-a/recommendations?namespace=shop&sort=risk&limit=20&days=30`,
    ],
    [
      'recommendations default to savings, limits are clamped',
      { queryType: 'recommendations', namespace: '__all', limit: 5000 },
      `${API}/clusters/prod-a/recommendations?sort=savings&limit=1000&days=30`,
    ],
    [
      'savings totals read one item',
      { queryType: 'savings' },
      `${API}/clusters/prod-a/recommendations?limit=1&days=30`,
    ],
    [
      'savings per namespace read one item',
      { queryType: 'savingsByNamespace', namespace: 'shop' },
      `${API}/clusters/prod-a/recommendations?namespace=shop&limit=1&days=30`,
    ],
    ['variable: clusters', { queryType: 'variable', variable: 'clusters', cluster: undefined }, `${API}/clusters`],
    [
      'variable: namespaces with peak data in range',
      { queryType: 'variable', variable: 'namespaces' },
      `${API}/peaks/namespaces?cluster=prod-a&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'variable: workloads under control',
      { queryType: 'variable', variable: 'workloads', namespace: 'shop' },
      `${API}/control?cluster=prod-a&namespace=shop&limit=1000`,
    ],
    [
      'variable: workloads of one kind',
      { queryType: 'variable', variable: 'workloads', namespace: 'shop', kind: 'StatefulSet' },
      `${API}/control?cluster=prod-a&namespace=shop&kind=StatefulSet&limit=1000`,
    ],
    [
      'totals of one kind filter by it, even Deployment',
      { kind: 'Deployment' },
      `${API}/peaks/totals?cluster=prod-a&kind=Deployment&from=2026-10-23&to=2026-11-21`,
    ],
    [
      '"All" kinds means no filter',
      { kind: '__all' },
      `${API}/peaks/totals?cluster=prod-a&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'top of one kind',
      { queryType: 'top', by: 'cpu', kind: 'DaemonSet' },
      `${API}/peaks/top?cluster=prod-a&kind=DaemonSet&from=2026-10-23&to=2026-11-21&by=cpu&limit=10`,
    ],
    [
      "a StatefulSet's series names its kind",
      { queryType: 'series', namespace: 'shop', workload: 'db', kind: 'StatefulSet' },
      `${API}/peaks/series?cluster=prod-a&namespace=shop&workload=db&kind=StatefulSet&from=2026-10-23&to=2026-11-21`,
    ],
    [
      "a Deployment's series sends no kind, as before kinds",
      { queryType: 'series', namespace: 'shop', workload: 'web', kind: 'Deployment' },
      `${API}/peaks/series?cluster=prod-a&namespace=shop&workload=web&from=2026-10-23&to=2026-11-21`,
    ],
    [
      'recommendations of one kind',
      { queryType: 'recommendations', kind: 'StatefulSet' },
      `${API}/clusters/prod-a/recommendations?kind=StatefulSet&sort=savings&limit=20&days=30`,
    ],
  ])('%s', (_name, over, want) => {
    expect(requestUrl(q(over), range)).toBe(want);
  });

  test('names with URL-special characters are escaped', () => {
    expect(requestUrl(q({ namespace: 'a&b=c' }), range)).toContain('namespace=a%26b%3Dc');
  });

  test.each<[string, Partial<KubeDoorQuery>, string]>([
    ['no cluster', { cluster: '' }, 'totals needs a cluster'],
    ['an unresolved "All" cluster', { cluster: '__all' }, 'totals needs a cluster'],
    ['a series without workload', { queryType: 'series', namespace: 'shop' }, 'series needs a workload'],
    ['an unknown ranking', { queryType: 'top', by: 'gpu' as never }, 'top: unknown ranking "gpu"'],
    [
      'an unknown sort',
      { queryType: 'recommendations', sort: 'cost' as never },
      'recommendations: unknown sort "cost"',
    ],
    [
      'recommendations without cluster',
      { queryType: 'recommendations', cluster: '' },
      'recommendations needs a cluster',
    ],
    ['an unknown type', { queryType: 'sql' as never }, 'unknown query type "sql"'],
    [
      'an unknown workload kind',
      { kind: 'CronJob' },
      'unknown workload kind "CronJob": Deployment, StatefulSet or DaemonSet',
    ],
  ])('%s is a clear error', (_name, over, message) => {
    expect(() => requestUrl(q(over), range)).toThrow(new QueryError(message));
  });
});
