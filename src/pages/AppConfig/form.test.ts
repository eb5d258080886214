import { formFromSettings, toSettingsUpdate, validate, type ConfigForm } from './form';

const meta = { enabled: true, pinned: false };

function form(overrides: Partial<ConfigForm> = {}): ConfigForm {
  return { ...formFromSettings({}, false), prometheusUrl: 'http://prometheus:9090', ...overrides };
}

describe('config form model', () => {
  test('an unconfigured app starts on embedded storage, a "default" cluster in UTC', () => {
    const f = formFromSettings(undefined, false);
    expect(f).toMatchObject({ mode: 'embedded', database: 'kubedoor', clusterName: 'default', timeZone: 'UTC' });
    expect(validate(f)).toEqual({ prometheusUrl: 'An http(s) URL, e.g. http://prometheus:9090' });
  });

  test('server mode needs an address; a label value needs its key', () => {
    expect(validate(form({ mode: 'server', address: ' ', clusterLabelValue: 'sh' }))).toEqual({
      address: 'Required in server mode (host:port of the native protocol, e.g. clickhouse:9000)',
      clusterLabelKey: 'Set the label key too, or clear the value',
    });
    expect(validate(form({ prometheusUrl: 'ftp://prometheus' })).prometheusUrl).toBeDefined();
  });

  test('embedded mode drops the server fields and trims what it keeps', () => {
    const update = toSettingsUpdate(form({ address: 'stale:9000', username: 'old', dataDir: ' /data ' }), {}, meta);
    expect(update.jsonData.storage).toEqual({ mode: 'embedded', dataDir: '/data' });
  });

  test('password: untouched stored value is omitted, reset clears it, empty new one is not sent', () => {
    expect(toSettingsUpdate(form({ passwordSet: true }), {}, meta).secureJsonData).toBeUndefined();
    expect(toSettingsUpdate(form({ passwordReset: true }), {}, meta).secureJsonData).toEqual({
      clickhousePassword: '',
    });
    expect(toSettingsUpdate(form(), {}, meta).secureJsonData).toBeUndefined();
    expect(toSettingsUpdate(form({ password: 'p' }), {}, meta).secureJsonData).toEqual({ clickhousePassword: 'p' });
  });
});
