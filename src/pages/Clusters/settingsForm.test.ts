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

  test('min replicas: 0 turns the floor off, and settings saved before it existed show the default 1', () => {
    const s = clusterSettings();
    const off = { ...formFromSettings(s), minReplicas: '0' };
    expect(validateSettings(off)).toEqual({});
    expect(toSettingsUpdate(off, s).minReplicas).toBe(0);
    const older = { ...s } as Partial<typeof s>;
    delete older.minReplicas;
    expect(formFromSettings(older as typeof s).minReplicas).toBe('1');
  });

  test('the found ratio reaches the PUT body, and a blank one keeps the loaded value', () => {
    const s = clusterSettings();
    const f = { ...formFromSettings(s), collectMinFoundRatio: '0.8' };
    expect(validateSettings(f)).toEqual({});
    expect(toSettingsUpdate(f, s).collect).toEqual({ enabled: true, at: '01:00', minFoundRatio: 0.8 });
    expect(toSettingsUpdate({ ...f, collectMinFoundRatio: ' ' }, s).collect.minFoundRatio).toBe(0.5);
  });

  test('overrides: namespace required, workload optional, no two for the same target', () => {
    const f = formFromSettings(clusterSettings());
    f.overrides = [
      { namespace: '', workload: '', start: '20:00', end: '22:00' },
      { namespace: 'shop', workload: 'Web', start: '20:00', end: '22:00' },
      { namespace: 'pay', workload: '', start: '20:00', end: '22:00' },
      { namespace: 'pay', workload: '', start: '21:00', end: '23:00' },
    ];
    expect(validateSettings(f)).toEqual({
      'overrides[0].namespace': 'A namespace name',
      'overrides[1].workload': 'A Deployment name, or empty for the whole namespace',
      'overrides[3].namespace': 'pay has two overrides',
    });
  });

  test('a window whose end is not after its start crosses midnight', () => {
    expect(crossesMidnight('22:00', '01:00')).toBe(true);
    expect(crossesMidnight('10:00', '11:30')).toBe(false);
    expect(crossesMidnight('10:00', '10:00')).toBe(true);
  });
});
