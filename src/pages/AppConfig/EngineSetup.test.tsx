import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';
import { setBackendSrv } from '@grafana/runtime';

import type { EngineFetch, EngineState } from '../../api/engine';
import { testIds } from '../../components/testIds';
import { fakeBackendSrv, fetchError } from '../../testing/fakeBackendSrv';
import { EngineSetup, manualSteps } from './EngineSetup';

const userEvent = userEventLib.setup({ delay: null });
const API = '/api/plugins/kubedoor-capacity-app/resources/v1';
const INTEGRITY = 'sha512-fPrLmRt5Moor9yGz4mazbrNje4t7X9KB2mTGkXFWRxRBs2iKy8yh6jx11xsa0Qr3iDFMU/yHqd+bVdYJXu3QaQ==';
const URL = 'https://registry.npmjs.org/@chdb/lib-linux-x64-gnu/-/lib-linux-x64-gnu-26.5.3.tgz';
const DIR = '/var/lib/grafana/kubedoor-engine/26.5.3';

function engine(fetch: Partial<EngineFetch> = {}, found = false): EngineState {
  return {
    mode: 'embedded',
    found,
    path: found ? `${DIR}/libchdb.so` : undefined,
    places: [
      { path: '/var/lib/grafana/plugins/kubedoor/libchdb.so', source: 'next to the plugin executable', exists: false },
      { path: `${DIR}/libchdb.so`, source: "the plugin's data directory", exists: found },
    ],
    installDir: DIR,
    package: { name: '@chdb/lib-linux-x64-gnu', version: '26.5.3', url: URL, integrity: INTEGRITY, size: 166572008 },
    fetch: { state: 'idle', bytesDone: 0, bytesTotal: 166572008, ...fetch },
    canFetch: true,
  };
}

/** Serves GET v1/engine from `states` in turn (the last one repeats) and POST v1/engine/fetch. */
function serve(states: EngineState[], started?: EngineState) {
  let i = 0;
  return fakeBackendSrv((req) => {
    if (req.url === `${API}/engine/fetch`) {
      return started
        ? { data: started }
        : { error: fetchError(req, 409, { error: 'an engine fetch is already running', code: 'conflict' }) };
    }
    const s = states[Math.min(i, states.length - 1)];
    i++;
    return { data: s };
  });
}

describe('Engine setup on the config page', () => {
  test('a missing engine explains embedded vs server mode, offers the download and the manual steps', async () => {
    const fake = serve([engine()]);
    setBackendSrv(fake.srv);
    render(<EngineSetup />);

    expect(await screen.findByText('The embedded engine is not installed')).toBeInTheDocument();
    expect(screen.getByText(/right for one Grafana instance/)).toBeInTheDocument();
    expect(
      screen.getByText(/For Grafana in HA \(several replicas\) or a large fleet, choose Server/)
    ).toBeInTheDocument();
    expect(screen.getByText(/next to the plugin executable/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.engineDownload)).toHaveTextContent('Download engine (166.6 MB)');
    expect(screen.getByTestId(testIds.appConfig.engineDownload)).toBeEnabled();
    const manual = screen.getByTestId(testIds.appConfig.engineManual);
    expect(within(manual).getByText(/curl -fLO/)).toHaveTextContent(`curl -fLO ${URL}`);
    expect(within(manual).getByText(/curl -fLO/)).toHaveTextContent(
      `tar -xzf lib-linux-x64-gnu-26.5.3.tgz -C ${DIR} --strip-components=1 package/libchdb.so`
    );
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    // Nothing is downloaded without a click.
    expect(fake.requests.map((r) => r.method)).toEqual(['GET']);
  });

  test('the admin click starts the download, the progress bar follows it and the checksum shows when done', async () => {
    const fetching = (done: number) => engine({ state: 'fetching', phase: 'downloading', bytesDone: done });
    const installed = engine(
      { state: 'installed', bytesDone: 166572008, checksum: INTEGRITY, target: `${DIR}/libchdb.so` },
      true
    );
    const fake = serve([engine(), fetching(83286004), installed], fetching(0));
    setBackendSrv(fake.srv);
    render(<EngineSetup pollMs={20} />);

    await userEvent.click(await screen.findByTestId(testIds.appConfig.engineDownload));
    expect(fake.requests[1]).toMatchObject({ url: `${API}/engine/fetch`, method: 'POST', data: { version: '26.5.3' } });
    await waitFor(() => expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '50'));
    expect(screen.getByText('downloading: 83.3 of 166.6 MB (50%)')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.engineDownload)).toBeDisabled();

    expect(await screen.findByText('Engine installed')).toBeInTheDocument();
    expect(
      screen.getByText(new RegExp(`checksum ${INTEGRITY.replace(/[+/]/g, '.')} was verified`))
    ).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.appConfig.engineDownload)).not.toBeInTheDocument();
  });

  test('a failed download says why, that nothing was installed, and can be retried', async () => {
    const failed = engine({
      state: 'failed',
      error: `checksum mismatch: ${URL} must be ${INTEGRITY} but the download is sha512-AAAA; nothing installed`,
    });
    setBackendSrv(serve([failed]).srv);
    render(<EngineSetup />);

    expect(await screen.findByText('Download failed; nothing was installed')).toBeInTheDocument();
    expect(screen.getByText(/checksum mismatch/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.engineDownload)).toBeEnabled();
  });

  test('a refused start (another admin is already downloading) is shown', async () => {
    setBackendSrv(serve([engine()]).srv);
    render(<EngineSetup />);

    await userEvent.click(await screen.findByTestId(testIds.appConfig.engineDownload));
    expect(await screen.findByText('The download did not start')).toBeInTheDocument();
    expect(screen.getByText('an engine fetch is already running')).toBeInTheDocument();
  });

  test('renders nothing when the engine is found, or for a caller the route refuses', async () => {
    const fake = serve([engine({}, true)]);
    setBackendSrv(fake.srv);
    const { container, unmount } = render(<EngineSetup />);
    await waitFor(() => expect(fake.requests).toHaveLength(1));
    expect(container).toBeEmptyDOMElement();
    unmount();

    const refused = fakeBackendSrv((req) => ({
      error: fetchError(req, 403, { error: 'requires the Admin role', code: 'forbidden' }),
    }));
    setBackendSrv(refused.srv);
    const second = render(<EngineSetup />);
    await waitFor(() => expect(refused.requests).toHaveLength(1));
    expect(second.container).toBeEmptyDOMElement();
  });

  test('the manual steps are the troubleshooting page commands for this install directory', () => {
    expect(manualSteps(engine()).split('\n')).toEqual([
      '# On a machine that reaches the npm registry:',
      `curl -fLO ${URL}`,
      'echo "sha512-$(openssl dgst -sha512 -binary lib-linux-x64-gnu-26.5.3.tgz | base64 -w0)"',
      `# must print ${INTEGRITY}`,
      '# Then on the Grafana host, as root:',
      `mkdir -p ${DIR}`,
      `tar -xzf lib-linux-x64-gnu-26.5.3.tgz -C ${DIR} --strip-components=1 package/libchdb.so`,
      `chown -R 472:0 ${DIR}   # Grafana's user in its images`,
    ]);
  });
});
