import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { PluginType } from '@grafana/data';
import { setBackendSrv, type BackendSrvRequest } from '@grafana/runtime';

import { testIds } from '../../components/testIds';
import { fakeBackendSrv, fetchError, type FakeHandler } from '../../testing/fakeBackendSrv';
import type { AppSettings } from '../../types';
import { reloadPage } from '../../utils/reload';
import AppConfig, { type AppConfigProps } from './AppConfig';

jest.mock('../../utils/reload', () => ({ reloadPage: jest.fn() }));

// No delay between keystrokes: these forms take many characters and jsdom is slow on 2 cores.
const userEvent = userEventLib.setup({ delay: null });

const SETTINGS_URL = '/api/plugins/kubedoor-capacity-app/settings';
const API = '/api/plugins/kubedoor-capacity-app/resources/v1';

function props(
  jsonData: Partial<AppSettings> & Record<string, unknown>,
  secure: Record<string, boolean> = {}
): AppConfigProps {
  return {
    plugin: {
      meta: {
        id: 'kubedoor-capacity-app',
        name: 'KubeDoor Capacity',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData,
        secureJsonFields: secure,
      },
    },
    query: {},
  } as unknown as AppConfigProps;
}

// The engine panel (EngineSetup.test.tsx) reads v1/engine on mount; here it is refused as for a
// non-admin, so the panel stays hidden and `requests` holds only what the form sends.
function serve(handler: FakeHandler = () => ({ data: { message: 'Plugin settings updated' } })) {
  const requests: BackendSrvRequest[] = [];
  const fake = fakeBackendSrv((req) => {
    if (req.url === `${API}/engine`) {
      return {
        error: fetchError(req, 403, { error: 'read the engine state requires the Admin role', code: 'forbidden' }),
      };
    }
    requests.push(req);
    return handler(req);
  });
  setBackendSrv(fake.srv);
  return { requests };
}

async function replaceText(testId: string, value: string) {
  const input = screen.getByTestId(testId);
  await userEvent.clear(input);
  if (value) {
    await userEvent.type(input, value);
  }
}

const field = testIds.appConfig.clusterField;

describe('App config page', () => {
  beforeEach(() => jest.mocked(reloadPage).mockReset());

  test('saves server storage and a new cluster with the exact request body', async () => {
    const { requests } = serve();
    render(<AppConfig {...props({})} />);

    await userEvent.click(screen.getByRole('radio', { name: 'Server' }));
    await replaceText(testIds.appConfig.address, 'clickhouse:9000');
    await replaceText(testIds.appConfig.database, 'capacity');
    await replaceText(testIds.appConfig.username, 'kubedoor');
    await userEvent.type(screen.getByTestId(testIds.appConfig.password), 's3cret');
    await replaceText(testIds.appConfig.chCluster, 'ck');
    await userEvent.click(screen.getByTestId(testIds.appConfig.tls));
    await userEvent.click(screen.getByTestId(testIds.appConfig.addCluster));
    await replaceText(field(0, 'name'), 'prod-sh');
    await replaceText(field(0, 'prometheusUrl'), 'http://prometheus.monitoring:9090');
    await replaceText(field(0, 'clusterLabelKey'), 'cluster');
    await replaceText(field(0, 'clusterLabelValue'), 'sh');
    await replaceText(field(0, 'timeZone'), 'Asia/Shanghai');
    await userEvent.click(screen.getByRole('radio', { name: 'Kubeconfig' }));
    await userEvent.type(screen.getByTestId(field(0, 'kubeconfig')), 'apiVersion: v1');
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
            kubeAccess: 'kubeconfig',
          },
        ],
      },
      secureJsonData: { clickhousePassword: 's3cret', 'clusters.prod-sh.kubeconfig': 'apiVersion: v1' },
    });
  });

  test('keeps stored secrets, other clusters and unknown settings untouched', async () => {
    const saved = {
      storage: { mode: 'embedded' as const, dataDir: '/data/kd', ttlDays: 400 },
      clusters: [
        { name: 'local', prometheusUrl: 'http://prometheus:9090', timeZone: 'UTC', peakStart: '10:00' },
        {
          name: 'edge',
          prometheusUrl: 'http://edge-prom:9090',
          timeZone: 'Europe/Berlin',
          kubeAccess: 'in-cluster' as const,
        },
      ],
      peakWindow: { start: '10:00', end: '11:30' },
    };
    const { requests } = serve();
    render(<AppConfig {...props(saved, { clickhousePassword: true, 'clusters.local.prometheusToken': true })} />);

    expect(screen.getByTestId(testIds.appConfig.dataDir)).toHaveValue('/data/kd');
    await replaceText(field(0, 'prometheusUrl'), 'http://prometheus:9091');
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reloadPage).toHaveBeenCalledTimes(1));
    expect(requests[0].data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: {
        storage: { mode: 'embedded', dataDir: '/data/kd', ttlDays: 400 },
        clusters: [
          { name: 'local', prometheusUrl: 'http://prometheus:9091', timeZone: 'UTC', peakStart: '10:00' },
          { name: 'edge', prometheusUrl: 'http://edge-prom:9090', timeZone: 'Europe/Berlin', kubeAccess: 'in-cluster' },
        ],
        peakWindow: { start: '10:00', end: '11:30' },
      },
    });
  });

  test('removing a cluster clears the secrets stored under its name', async () => {
    const saved = {
      storage: { mode: 'embedded' as const },
      clusters: [
        { name: 'a', prometheusUrl: 'http://a:9090' },
        { name: 'b', prometheusUrl: 'http://b:9090' },
      ],
    };
    const { requests } = serve();
    render(<AppConfig {...props(saved, { 'clusters.b.prometheusPassword': true })} />);

    await userEvent.click(screen.getByTestId(testIds.appConfig.removeCluster(1)));
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reloadPage).toHaveBeenCalledTimes(1));
    const body = requests[0].data as { jsonData: AppSettings; secureJsonData: Record<string, string> };
    expect(body.jsonData.clusters.map((c) => c.name)).toEqual(['a']);
    expect(body.secureJsonData).toEqual({
      'clusters.b.prometheusPassword': '',
      'clusters.b.prometheusToken': '',
      'clusters.b.kubeconfig': '',
    });
  });

  test('does not submit an invalid form and says why, field by field', async () => {
    const { requests } = serve();
    render(<AppConfig {...props({})} />);

    await userEvent.click(screen.getByTestId(testIds.appConfig.addCluster));
    expect(screen.getByText('An http(s) URL such as http://prometheus:9090')).toBeInTheDocument();
    await replaceText(field(0, 'prometheusUrl'), 'http://prometheus:9090');
    await replaceText(field(0, 'timeZone'), 'Mars/Olympus');
    expect(screen.getByText('An IANA time zone name, e.g. Asia/Shanghai or UTC')).toBeInTheDocument();
    expect(screen.getByText('1 field(s) need attention before saving')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();

    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));
    expect(requests).toHaveLength(0);
  });

  test("shows Grafana's error and does not reload when saving fails", async () => {
    serve((req) => ({ error: fetchError(req, 403, { message: 'Permission denied' }) }));
    render(<AppConfig {...props({})} />);

    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    expect(await screen.findByText('Settings were not saved')).toBeInTheDocument();
    expect(screen.getByText('Permission denied')).toBeInTheDocument();
    expect(reloadPage).not.toHaveBeenCalled();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeEnabled();
  });

  test('Test sends the connection with only the typed secrets and shows what works and what does not', async () => {
    const saved = { clusters: [{ name: 'prod', prometheusUrl: 'http://p:9090', kubeAccess: 'kubeconfig' as const }] };
    const { requests } = serve((req) =>
      req.url === `${API}/clusters/test`
        ? {
            data: {
              prometheus: { ok: true, message: '', version: '2.42.0' },
              kubernetes: { ok: false, message: 'Unauthorized', version: '' },
              webhook: { ok: false, message: 'MutatingWebhookConfiguration kubedoor-webhook not found' },
            },
          }
        : { data: {} }
    );
    render(<AppConfig {...props(saved, { 'clusters.prod.kubeconfig': true })} />);

    await userEvent.type(screen.getByTestId(field(0, 'prometheusToken')), 'tok');
    await userEvent.click(screen.getByTestId(testIds.appConfig.testCluster(0)));

    const result = await screen.findByTestId(testIds.appConfig.testResult(0));
    await waitFor(() => expect(within(result).getByText('Unauthorized')).toBeInTheDocument());
    expect(within(result).getByText('2.42.0')).toBeInTheDocument();
    expect(within(result).getAllByText('Failing')).toHaveLength(2);
    expect(within(result).getByText('MutatingWebhookConfiguration kubedoor-webhook not found')).toBeInTheDocument();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST' });
    expect(requests[0].data).toEqual({
      name: 'prod',
      prometheusUrl: 'http://p:9090',
      timeZone: 'UTC',
      kubeAccess: 'kubeconfig',
      prometheusToken: 'tok',
    });
  });

  test('a refused Test shows the backend error', async () => {
    serve((req) => ({
      error: fetchError(req, 403, { error: 'test a cluster connection requires the Admin role', code: 'forbidden' }),
    }));
    render(<AppConfig {...props({ clusters: [{ name: 'prod', prometheusUrl: 'http://p:9090' }] })} />);

    await userEvent.click(screen.getByTestId(testIds.appConfig.testCluster(0)));

    expect(await screen.findByText('test a cluster connection requires the Admin role')).toBeInTheDocument();
  });

  test('a saved channel can send a test message; a new or edited one must be saved first', async () => {
    const saved = {
      clusters: [],
      notifications: [
        { id: 'ops', kind: 'slack' as const, name: 'Ops', events: ['actionFailed' as const], enabled: true },
      ],
    };
    const { requests } = serve((req) =>
      req.url === `${API}/notifications/test` ? { data: { ok: false, status: 404, error: 'no_service' } } : { data: {} }
    );
    render(<AppConfig {...props(saved, { 'notifications.ops': true })} />);

    await userEvent.click(screen.getByTestId(testIds.appConfig.testChannel(0)));
    const result = await screen.findByTestId(testIds.appConfig.testChannelResult(0));
    await waitFor(() => expect(within(result).getByText('no_service (HTTP 404)')).toBeInTheDocument());
    expect(requests[0]).toMatchObject({ url: `${API}/notifications/test`, method: 'POST', data: { id: 'ops' } });

    await userEvent.click(screen.getByTestId(testIds.appConfig.addChannel));
    // Buttons with a tooltip are aria-disabled so that the tooltip still shows.
    expect(screen.getByTestId(testIds.appConfig.testChannel(1))).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId(testIds.appConfig.testChannel(0))).not.toHaveAttribute('aria-disabled', 'true');
    await userEvent.type(screen.getByTestId(testIds.appConfig.channelField(0, 'name')), ' team');
    expect(screen.getByTestId(testIds.appConfig.testChannel(0))).toHaveAttribute('aria-disabled', 'true');
  });
});
