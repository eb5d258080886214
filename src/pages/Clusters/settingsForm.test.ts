import { clusterSettings } from '../../testing/fixtures';
import { crossesMidnight, formFromSettings, toSettingsUpdate, validateSettings } from './settingsForm';

describe('cluster settings form', () => {
  test('saved settings validate unchanged and round-trip into the PUT body', () => {
    const s = clusterSettings({
      overrides: [{ namespace: 'shop', workload: '', peakWindow: { start: '20:00', end: '22:00' } }],
    });
    const f = formFromSettings(s);
    expect(validateSettings(f)).toEqual({});
    expect(toSettingsUpdate(f, s)).toEqual({ ...s, expectedVersion: 3 });
  });

  test.each([
    ['start', { start: '25:00' }, 'peakWindow.start'],
    ['end', { end: '9:30' }, 'peakWindow.end'],
    ['quantile below 0.5', { quantile: '0.4' }, 'quantile'],
    ['quantile above 0.999', { quantile: '1' }, 'quantile'],
    ['days 0', { days: '0' }, 'days'],
    ['days fractional', { days: '2.5' }, 'days'],
    ['headroom negative', { headroom: '-0.1' }, 'headroom'],
    ['cpu floor text', { cpuFloorMillis: '10m' }, 'cpuFloorMillis'],
    ['memory floor negative', { memFloorMiB: '-1' }, 'memFloorMiB'],
    ['min replicas negative', { minReplicas: '-1' }, 'minReplicas'],
    ['min replicas fractional', { minReplicas: '1.5' }, 'minReplicas'],
    ['min replicas above the table maximum', { minReplicas: '100001' }, 'minReplicas'],
    ['retention too short', { retentionDays: '7' }, 'retentionDays'],
    ['collection time', { collectAt: '1am' }, 'collect.at'],
    ['found ratio above 1', { collectMinFoundRatio: '1.5' }, 'collect.minFoundRatio'],
    ['found ratio negative', { collectMinFoundRatio: '-0.1' }, 'collect.minFoundRatio'],
    ['found ratio as text', { collectMinFoundRatio: 'half' }, 'collect.minFoundRatio'],
  ])('%s is refused by its field', (_name, change, field) => {
    const f = { ...formFromSettings(clusterSettings()), ...change };
    expect(Object.keys(validateSettings(f))).toEqual([field]);
  });

  test('the found ratio reaches the PUT body, and a blank one keeps the loaded value', () => {
    const s = clusterSettings();
    const f = { ...formFromSettings(s), collectMinFoundRatio: '0.8' };
    expect(validateSettings(f)).toEqual({});
    expect(toSettingsUpdate(f, s).collect).toEqual({ enabled: true, at: '01:00', minFoundRatio: 0.8 });
    expect(toSettingsUpdate({ ...f, collectMinFoundRatio: ' ' }, s).collect.minFoundRatio).toBe(0.5);
  });

  test('min replicas: 0 turns the floor off, and settings saved before it existed show the default 1', () => {
    const s = clusterSettings();
    const off = { ...formFromSettings(s), minReplicas: '0' };
    expect(validateSettings(off)).toEqual({});
    expect(toSettingsUpdate(off, s).minReplicas).toBe(0);
    const older = { ...s } as Partial<typeof s>;
    delete older.minReplicas;
    expect(formFromSettings(older as typeof s).minReplicas).toBe('1');
  });

  test('overrides: namespace required, workload optional, no two for the same target', () => {
    const f = formFromSettings(clusterSettings());
    f.overrides = [
      { namespace: '', kind: 'Deployment', workload: '', start: '20:00', end: '22:00' },
      { namespace: 'shop', kind: 'Deployment', workload: 'Web', start: '20:00', end: '22:00' },
      { namespace: 'pay', kind: 'Deployment', workload: '', start: '20:00', end: '22:00' },
      { namespace: 'pay', kind: 'Deployment', workload: '', start: '21:00', end: '23:00' },
    ];
    expect(validateSettings(f)).toEqual({
      'overrides[0].namespace': 'A namespace name',
      'overrides[1].workload': 'A workload name, or empty for the whole namespace',
      'overrides[3].namespace': 'pay has two overrides',
    });
  });

  test('a workload override names its kind: a StatefulSet and a Deployment of one name are two, and the kind round-trips', () => {
    const s = clusterSettings({
      overrides: [
        { namespace: 'data', workload: 'db', peakWindow: { start: '20:00', end: '22:00' } },
        { namespace: 'data', kind: 'StatefulSet', workload: 'db', peakWindow: { start: '02:00', end: '03:00' } },
      ],
    });
    const f = formFromSettings(s);
    expect(f.overrides.map((o) => o.kind)).toEqual(['Deployment', 'StatefulSet']);
    expect(validateSettings(f)).toEqual({});
    // A Deployment's override is sent without a kind, as older backends read it.
    expect(toSettingsUpdate(f, s).overrides).toEqual(s.overrides);
    f.overrides[1] = { ...f.overrides[1], kind: 'Deployment' };
    expect(validateSettings(f)).toEqual({ 'overrides[1].namespace': 'data/db has two overrides' });
    // A whole-namespace override never sends the kind the picker last held.
    f.overrides[1] = { ...f.overrides[1], kind: 'DaemonSet', workload: '' };
    expect(toSettingsUpdate(f, s).overrides?.[1]).toEqual({
      namespace: 'data',
      workload: '',
      peakWindow: { start: '02:00', end: '03:00' },
    });
  });

  test('a window whose end is not after its start crosses midnight', () => {
    expect(crossesMidnight('22:00', '01:00')).toBe(true);
    expect(crossesMidnight('10:00', '11:30')).toBe(false);
    expect(crossesMidnight('10:00', '10:00')).toBe(true);
  });

  describe('recommend and prices', () => {
    const withBlocks = () =>
      clusterSettings({
        recommend: {
          enabled: false,
          cpuTarget: 0.7,
          memTarget: 0.8,
          maxReplicas: 1000,
          maxStepDown: 0.5,
          overrides: [{ namespace: 'shop', workload: '', cpuTarget: 0.6, memTarget: 0.8 }],
        },
        prices: { currency: 'USD', cpuCoreHour: 0.0316, memGiBHour: 0.0042 },
      });

    test('round-trip into the PUT body, and an older backend without them gets none', () => {
      const s = withBlocks();
      const f = formFromSettings(s);
      expect(validateSettings(f)).toEqual({});
      expect(toSettingsUpdate(f, s)).toEqual({ ...s, expectedVersion: 3 });
      const on = { ...f, recommend: { ...f.recommend!, enabled: true, maxStepDown: '0' } };
      expect(toSettingsUpdate(on, s).recommend).toMatchObject({ enabled: true, maxStepDown: 0 });
      const older = toSettingsUpdate(formFromSettings(clusterSettings()), clusterSettings());
      expect(older).not.toHaveProperty('recommend');
      expect(older).not.toHaveProperty('prices');
    });

    test.each([
      ['cpu target 0', { cpuTarget: '0' }, 'recommend.cpuTarget'],
      ['memory target above 1', { memTarget: '1.1' }, 'recommend.memTarget'],
      ['max replicas below minReplicas', { maxReplicas: '0' }, 'recommend.maxReplicas'],
      ['max replicas above the table maximum', { maxReplicas: '100001' }, 'recommend.maxReplicas'],
      ['step down 1', { maxStepDown: '1' }, 'recommend.maxStepDown'],
      ['step down negative', { maxStepDown: '-0.1' }, 'recommend.maxStepDown'],
    ])('%s is refused by its field', (_name, change, field) => {
      const f = formFromSettings(withBlocks());
      f.recommend = { ...f.recommend!, ...change };
      expect(Object.keys(validateSettings(f))).toEqual([field]);
    });

    test('target 1 and step down 0 are allowed', () => {
      const f = formFromSettings(withBlocks());
      f.recommend = { ...f.recommend!, cpuTarget: '1', memTarget: '1', maxStepDown: '0' };
      expect(validateSettings(f)).toEqual({});
    });

    test('overrides: namespace, workload, targets and no two for the same target', () => {
      const f = formFromSettings(withBlocks());
      f.recommend!.overrides = [
        { namespace: 'shop', kind: 'Deployment', workload: '', cpuTarget: '0', memTarget: '0.8' },
        { namespace: 'shop', kind: 'Deployment', workload: '', cpuTarget: '0.5', memTarget: '2' },
        { namespace: '', kind: 'Deployment', workload: 'Web', cpuTarget: '0.5', memTarget: '0.5' },
      ];
      expect(validateSettings(f)).toEqual({
        'recommend.overrides[0].cpuTarget': 'Above 0 and at most 1',
        'recommend.overrides[1].namespace': 'shop has two overrides',
        'recommend.overrides[1].memTarget': 'Above 0 and at most 1',
        'recommend.overrides[2].namespace': 'A namespace name',
        'recommend.overrides[2].workload': 'A workload name, or empty for the whole namespace',
      });
    });

    test('a recommend override of a StatefulSet keeps its kind and is not the Deployment of that name', () => {
      const s = withBlocks();
      s.recommend!.overrides = [
        { namespace: 'data', workload: 'db', cpuTarget: 0.5, memTarget: 0.5 },
        { namespace: 'data', kind: 'StatefulSet', workload: 'db', cpuTarget: 0.9, memTarget: 0.9 },
      ];
      const f = formFromSettings(s);
      expect(validateSettings(f)).toEqual({});
      expect(toSettingsUpdate(f, s).recommend?.overrides).toEqual(s.recommend!.overrides);
      f.recommend!.overrides[0] = { ...f.recommend!.overrides[0], kind: 'StatefulSet' };
      expect(validateSettings(f)).toEqual({
        'recommend.overrides[1].namespace': 'data/StatefulSet/db has two overrides',
      });
    });

    test.each([
      ['currency lower case', { currency: 'usd' }, 'prices.currency'],
      ['negative core-hour', { cpuCoreHour: '-0.01' }, 'prices.cpuCoreHour'],
      ['GiB-hour as text', { memGiBHour: 'cheap' }, 'prices.memGiBHour'],
      ['GiB-hour above the maximum', { memGiBHour: '1001' }, 'prices.memGiBHour'],
    ])('price: %s is refused by its field', (_name, change, field) => {
      const f = formFromSettings(withBlocks());
      f.prices = { ...f.prices!, ...change };
      expect(Object.keys(validateSettings(f))).toEqual([field]);
    });

    test('free resources (price 0) are allowed', () => {
      const f = formFromSettings(withBlocks());
      f.prices = { ...f.prices!, cpuCoreHour: '0', memGiBHour: '0' };
      expect(validateSettings(f)).toEqual({});
    });
  });
});
