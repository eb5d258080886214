import { formFromSettings, newChannel, newCluster, toSettingsUpdate, validate, type ConfigForm } from './form';

const meta = { enabled: true, pinned: false };

function withCluster(overrides: Partial<ConfigForm['clusters'][number]> = {}): ConfigForm {
  const f = formFromSettings({}, {});
  return { ...f, clusters: [{ ...newCluster('prod-a'), prometheusUrl: 'http://prometheus:9090', ...overrides }] };
}

describe('config form model', () => {
  test('an unconfigured app starts on embedded storage with no clusters and validates', () => {
    const f = formFromSettings(undefined, {});
    expect(f).toMatchObject({ mode: 'embedded', database: 'kubedoor', clusters: [], channels: [] });
    expect(validate(f)).toEqual({});
  });

  test.each([
    ['server mode needs an address', { mode: 'server' as const, address: ' ' }, 'storage.address'],
    ['the address must be host:port', { mode: 'server' as const, address: 'clickhouse' }, 'storage.address'],
    [
      'the database must be an identifier',
      { mode: 'server' as const, address: 'ch:9000', database: 'my-db' },
      'storage.database',
    ],
    [
      'the ClickHouse cluster must be an identifier',
      { mode: 'server' as const, address: 'ch:9000', chCluster: 'a b' },
      'storage.cluster',
    ],
  ])('%s', (_name, storage, field) => {
    expect(Object.keys(validate({ ...withCluster(), ...storage }))).toEqual([field]);
  });

  test.each([
    ['a cluster name must be a DNS label', { name: 'Prod_A' }, 'clusters[0].name'],
    ['the Prometheus URL must be http(s) with a host', { prometheusUrl: 'ftp://prom' }, 'clusters[0].prometheusUrl'],
    ['a URL without a host is refused', { prometheusUrl: 'http://' }, 'clusters[0].prometheusUrl'],
    [
      'the label key must be a Prometheus label name',
      { clusterLabelKey: 'k8s-cluster' },
      'clusters[0].clusterLabelKey',
    ],
    ['a label value needs its key', { clusterLabelValue: 'sh' }, 'clusters[0].clusterLabelKey'],
    ['the time zone must be an IANA name', { timeZone: 'Mars/Olympus' }, 'clusters[0].timeZone'],
    ['kubeconfig access needs a kubeconfig', { kubeAccess: 'kubeconfig' as const }, 'clusters[0].kubeconfig'],
  ])('%s', (_name, cluster, field) => {
    expect(Object.keys(validate(withCluster(cluster)))).toEqual([field]);
  });

  test('the KubeDoor namespace and the publish interval follow the backend rules', () => {
    const f = {
      ...withCluster({ kubeAccess: 'in-cluster', kubedoorNamespace: 'Kube_Door' }),
      publishIntervalSeconds: '10',
    };
    expect(validate(f)).toEqual({
      publishIntervalSeconds: 'From 30 to 86400 seconds, or empty for 300',
      'clusters[0].kubedoorNamespace': "A namespace name: 1-63 lower-case letters, digits or '-'",
    });
    const ok = {
      ...withCluster({ kubeAccess: 'in-cluster', kubedoorNamespace: 'ops' }),
      publishIntervalSeconds: '600',
    };
    const update = toSettingsUpdate(ok, { publishIntervalSeconds: 300 }, meta);
    expect(update.jsonData.publishIntervalSeconds).toBe(600);
    expect(update.jsonData.clusters[0]).toMatchObject({ kubeAccess: 'in-cluster', kubedoorNamespace: 'ops' });
    expect(
      toSettingsUpdate({ ...ok, publishIntervalSeconds: '' }, { publishIntervalSeconds: 300 }, meta).jsonData
    ).not.toHaveProperty('publishIntervalSeconds');
  });

  test('two clusters may not share a name', () => {
    const f = withCluster();
    f.clusters.push({ ...f.clusters[0] });
    expect(validate(f)).toEqual({ 'clusters[1].name': 'Another cluster is named "prod-a"' });
  });

  test('renaming a cluster asks for its stored secrets again', () => {
    const f = formFromSettings(
      { clusters: [{ name: 'old', prometheusUrl: 'http://p:9090', kubeAccess: 'kubeconfig' }] },
      { 'clusters.old.kubeconfig': true }
    );
    expect(validate(f)).toEqual({});
    f.clusters[0].name = 'new';
    expect(validate(f)['clusters[0].kubeconfig']).toMatch(/enter this one again/);
  });

  test('a channel needs an id, a known cluster, a secret and events', () => {
    const f = withCluster();
    f.channels = [{ ...newChannel('ops team'), cluster: 'nowhere', events: [] }];
    expect(validate(f)).toEqual({
      'notifications[0].id': "1-63 letters, digits, '-' or '_'",
      'notifications[0].cluster': 'No cluster named "nowhere"',
      'notifications[0].secret': 'The webhook URL (or bot key) to send to',
      'notifications[0].events': 'Pick at least one event',
    });
  });

  test('embedded mode drops the server fields and trims what it keeps', () => {
    const f = { ...withCluster(), address: 'stale:9000', username: 'old', dataDir: ' /data ' };
    expect(toSettingsUpdate(f, {}, meta).jsonData.storage).toEqual({ mode: 'embedded', dataDir: '/data' });
  });

  test('every cluster field is written with the backend names; empty optional ones are left out', () => {
    const f = withCluster({
      prometheusUsername: ' reader ',
      prometheusTlsSkipVerify: true,
      clusterLabelKey: 'cluster',
      timeZone: 'Asia/Shanghai',
      kubeAccess: 'in-cluster',
    });
    expect(toSettingsUpdate(f, {}, meta).jsonData.clusters).toEqual([
      {
        name: 'prod-a',
        prometheusUrl: 'http://prometheus:9090',
        prometheusUsername: 'reader',
        prometheusTlsSkipVerify: true,
        clusterLabelKey: 'cluster',
        timeZone: 'Asia/Shanghai',
        kubeAccess: 'in-cluster',
      },
    ]);
  });

  test('keys this page does not know are kept, in jsonData, in storage and in each cluster', () => {
    const previous = {
      storage: { mode: 'embedded' as const, ttlDays: 400 },
      clusters: [{ name: 'a', prometheusUrl: 'http://p:9090', kubedoorNamespace: 'kd' }],
      publishIntervalSeconds: 60,
    };
    const update = toSettingsUpdate(formFromSettings(previous, {}), previous, meta);
    expect(update.jsonData).toEqual({
      storage: { mode: 'embedded', ttlDays: 400 },
      clusters: [{ name: 'a', prometheusUrl: 'http://p:9090', timeZone: 'UTC', kubedoorNamespace: 'kd' }],
      publishIntervalSeconds: 60,
    });
    expect(update.secureJsonData).toBeUndefined();
  });

  test('secrets: typed ones are sent under the cluster name, untouched stored ones are omitted', () => {
    const previous = { clusters: [{ name: 'a', prometheusUrl: 'http://p:9090' }] };
    const f = formFromSettings(previous, { 'clusters.a.prometheusPassword': true, clickhousePassword: true });
    f.clusters[0].secrets.prometheusToken.value = 'tok';
    expect(toSettingsUpdate(f, previous, meta).secureJsonData).toEqual({ 'clusters.a.prometheusToken': 'tok' });
  });

  test('secrets: a reset one is cleared; one of a removed cluster is cleared', () => {
    const previous = {
      clusters: [
        { name: 'a', prometheusUrl: 'http://p:9090' },
        { name: 'b', prometheusUrl: 'http://q:9090' },
      ],
    };
    const f = formFromSettings(previous, { 'clusters.a.kubeconfig': true, clickhousePassword: true });
    f.password = { value: '', set: true, reset: true };
    f.clusters = [f.clusters[0]];
    expect(toSettingsUpdate(f, previous, meta).secureJsonData).toEqual({
      clickhousePassword: '',
      'clusters.b.prometheusPassword': '',
      'clusters.b.prometheusToken': '',
      'clusters.b.kubeconfig': '',
    });
  });

  test('secrets: a renamed cluster moves its retyped secret and clears the old key', () => {
    const previous = { clusters: [{ name: 'old', prometheusUrl: 'http://p:9090', kubeAccess: 'kubeconfig' as const }] };
    const f = formFromSettings(previous, { 'clusters.old.kubeconfig': true });
    f.clusters[0].name = 'new';
    f.clusters[0].secrets.kubeconfig.value = 'apiVersion: v1';
    expect(validate(f)).toEqual({});
    expect(toSettingsUpdate(f, previous, meta).secureJsonData).toEqual({
      'clusters.new.kubeconfig': 'apiVersion: v1',
      'clusters.old.kubeconfig': '',
    });
  });

  test('secrets: a new cluster reusing a removed name keeps its own typed value', () => {
    const previous = { clusters: [{ name: 'a', prometheusUrl: 'http://p:9090' }] };
    const f = formFromSettings(previous, { 'clusters.a.prometheusToken': true });
    f.clusters = [{ ...newCluster('a'), prometheusUrl: 'http://p:9090' }];
    f.clusters[0].secrets.prometheusToken.value = 'fresh';
    expect(toSettingsUpdate(f, previous, meta).secureJsonData).toEqual({
      'clusters.a.prometheusToken': 'fresh',
      'clusters.a.prometheusPassword': '',
      'clusters.a.kubeconfig': '',
    });
  });

  test('channels are written with their secret under notifications.<id>', () => {
    const f = withCluster();
    f.channels = [{ ...newChannel('ops'), name: ' Ops ', kind: 'slack', cluster: 'prod-a' }];
    f.channels[0].secret.value = 'https://hooks.slack.com/services/T/B/x';
    const update = toSettingsUpdate(f, {}, meta);
    expect(update.jsonData.notifications).toEqual([
      {
        id: 'ops',
        cluster: 'prod-a',
        kind: 'slack',
        name: 'Ops',
        events: ['actionFailed', 'scheduleFailed', 'newWorkload'],
        enabled: true,
      },
    ]);
    expect(update.secureJsonData).toEqual({ 'notifications.ops': 'https://hooks.slack.com/services/T/B/x' });
  });

  test('removing the last channel writes an empty list and clears its secret', () => {
    const previous = {
      clusters: [],
      notifications: [{ id: 'ops', kind: 'webhook' as const, name: 'x', events: ['denied' as const], enabled: true }],
    };
    const f = formFromSettings(previous, { 'notifications.ops': true });
    f.channels = [];
    const update = toSettingsUpdate(f, previous, meta);
    expect(update.jsonData.notifications).toEqual([]);
    expect(update.secureJsonData).toEqual({ 'notifications.ops': '' });
  });
});
