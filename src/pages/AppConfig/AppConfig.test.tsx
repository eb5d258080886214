import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginType } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';

import { testIds } from '../../components/testIds';
import { fakeBackendSrv, fetchError, type FakeHandler } from '../../testing/fakeBackendSrv';
import type { AppSettings } from '../../types';
import { reloadPage } from '../../utils/reload';
import AppConfig, { type AppConfigProps } from './AppConfig';

jest.mock('../../utils/reload', () => ({ reloadPage: jest.fn() }));

const SETTINGS_URL = '/api/plugins/kubedoor-capacity-app/settings';

function props(jsonData: Partial<AppSettings> & Record<string, unknown>, passwordSet = false): AppConfigProps {
  return {
    plugin: {
      meta: {
        id: 'kubedoor-capacity-app',
        name: 'KubeDoor Capacity',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData,
        secureJsonFields: passwordSet ? { clickhousePassword: true } : {},
      },
    },
    query: {},
  } as unknown as AppConfigProps;
}

function serve(handler: FakeHandler = () => ({ data: { message: 'Plugin settings updated' } })) {
  const fake = fakeBackendSrv(handler);
  setBackendSrv(fake.srv);
  return fake;
}

async function replaceText(testId: string, value: string) {
  const input = screen.getByTestId(testId);
  await userEvent.clear(input);
  if (value) {
    await userEvent.type(input, value);
  }
}

describe('App config page', () => {
  beforeEach(() => jest.mocked(reloadPage).mockReset());

  test('saves server storage and the default cluster with the exact request body', async () => {
    const { requests } = serve();
    render(<AppConfig {...props({})} />);

    await userEvent.click(screen.getByRole('radio', { name: 'Server' }));
    await replaceText(testIds.appConfig.address, 'clickhouse:9000');
    await replaceText(testIds.appConfig.database, 'capacity');
    await replaceText(testIds.appConfig.username, 'kubedoor');
    await userEvent.type(screen.getByTestId(testIds.appConfig.password), 's3cret');
    await replaceText(testIds.appConfig.chCluster, 'ck');
    await userEvent.click(screen.getByTestId(testIds.appConfig.tls));
    await replaceText(testIds.appConfig.clusterName, 'prod-sh');
    await replaceText(testIds.appConfig.prometheusUrl, 'http://prometheus.monitoring:9090');
    await replaceText(testIds.appConfig.clusterLabelKey, 'cluster');
    await replaceText(testIds.appConfig.clusterLabelValue, 'sh');
    await replaceText(testIds.appConfig.timeZone, 'Asia/Shanghai');
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reloadPage).toHaveBeenCalledTimes(1));
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe(SETTINGS_URL);
    expect(requests[0].method).toBe('POST');
    expect(requests[0].data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: {
        storage: {
          mode: 'server',
          address: 'clickhouse:9000',
          database: 'capacity',
          username: 'kubedoor',
          cluster: 'ck',
          tls: true,
        },
        clusters: [
          {
            name: 'prod-sh',
            prometheusUrl: 'http://prometheus.monitoring:9090',
            clusterLabelKey: 'cluster',
            clusterLabelValue: 'sh',
            timeZone: 'Asia/Shanghai',
          },
        ],
      },
      secureJsonData: { clickhousePassword: 's3cret' },
    });
  });

  test('keeps a stored password, other clusters and unknown settings untouched', async () => {
    const saved = {
      storage: { mode: 'embedded' as const, dataDir: '/data/kd', ttlDays: 400 },
      clusters: [
        { name: 'local', prometheusUrl: 'http://prometheus:9090', timeZone: 'UTC', peakStart: '10:00' },
        { name: 'edge', prometheusUrl: 'http://edge-prom:9090', timeZone: 'Europe/Berlin' },
      ],
      peakWindow: { start: '10:00', end: '11:30' },
    };
    const { requests } = serve();
    render(<AppConfig {...props(saved, true)} />);

    expect(screen.getByTestId(testIds.appConfig.dataDir)).toHaveValue('/data/kd');
    await replaceText(testIds.appConfig.prometheusUrl, 'http://prometheus:9091');
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reloadPage).toHaveBeenCalledTimes(1));
    expect(requests[0].data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: {
        storage: { mode: 'embedded', dataDir: '/data/kd', ttlDays: 400 },
        clusters: [
          { name: 'local', prometheusUrl: 'http://prometheus:9091', timeZone: 'UTC', peakStart: '10:00' },
          { name: 'edge', prometheusUrl: 'http://edge-prom:9090', timeZone: 'Europe/Berlin' },
        ],
        peakWindow: { start: '10:00', end: '11:30' },
      },
    });
  });

  test('does not submit an invalid form and says why', async () => {
    const { requests } = serve();
    render(<AppConfig {...props({})} />);

    // Empty Prometheus URL by default.
    expect(screen.getByText('An http(s) URL, e.g. http://prometheus:9090')).toBeInTheDocument();
    await replaceText(testIds.appConfig.prometheusUrl, 'http://prometheus:9090');
    await replaceText(testIds.appConfig.timeZone, 'Mars/Olympus');
    expect(screen.getByText('An IANA time zone name, e.g. Asia/Shanghai or UTC')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();

    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));
    expect(requests).toHaveLength(0);
  });

  test("shows Grafana's error and does not reload when saving fails", async () => {
    serve((req) => ({ error: fetchError(req, 403, { message: 'Permission denied' }) }));
    render(<AppConfig {...props({})} />);

    await replaceText(testIds.appConfig.prometheusUrl, 'http://prometheus:9090');
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    expect(await screen.findByText('Settings were not saved')).toBeInTheDocument();
    expect(screen.getByText('Permission denied')).toBeInTheDocument();
    expect(reloadPage).not.toHaveBeenCalled();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeEnabled();
  });
});
