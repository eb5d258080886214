import React from 'react';
import { Subject } from 'rxjs';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setBackendSrv, type FetchResponse } from '@grafana/runtime';

import { testIds } from '../../components/testIds';
import { fakeBackendSrv, fetchError, fetchResponse, type FakeHandler } from '../../testing/fakeBackendSrv';
import type { StatusResponse } from '../../types';
import Overview from './Overview';

const STATUS_URL = '/api/plugins/kubedoor-capacity-app/resources/v1/status';

const healthy: StatusResponse = {
  store: { ok: true, mode: 'embedded', message: 'data dir /var/lib/grafana/kubedoor', schemaVersion: 3 },
  prometheus: [
    { cluster: 'prod-sh', ok: true, message: '' },
    { cluster: 'prod-bj', ok: false, message: 'dial tcp 10.0.0.7:9090: connection refused' },
  ],
  version: '0.1.0-test',
};

function serve(handler: FakeHandler) {
  const fake = fakeBackendSrv(handler);
  setBackendSrv(fake.srv);
  return fake;
}

describe('Overview page', () => {
  test('shows a loading state until the status arrives, then the data', async () => {
    const pending = new Subject<FetchResponse<unknown>>();
    const { requests } = serve(() => ({ observable: pending }));

    render(<Overview />);

    expect(screen.getByText('Loading backend status...')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.overview.store)).not.toBeInTheDocument();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ url: STATUS_URL, method: 'GET', showErrorAlert: false });

    pending.next(fetchResponse(requests[0], healthy));
    pending.complete();

    expect(await screen.findByTestId(testIds.overview.store)).toBeInTheDocument();
    expect(screen.queryByText('Loading backend status...')).not.toBeInTheDocument();
  });

  test('renders the store, every cluster and the version', async () => {
    serve(() => ({ data: healthy }));

    render(<Overview />);

    const store = await screen.findByTestId(testIds.overview.store);
    expect(within(store).getByText('Embedded ClickHouse engine (chDB)')).toBeInTheDocument();
    expect(within(store).getByText('Schema version 3')).toBeInTheDocument();
    expect(within(store).getByText('data dir /var/lib/grafana/kubedoor')).toBeInTheDocument();
    expect(within(store).getByText('OK')).toBeInTheDocument();

    const rows = screen.getAllByRole('row');
    // header + two clusters
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByText('prod-sh')).toBeInTheDocument();
    expect(within(rows[1]).getByText('OK')).toBeInTheDocument();
    expect(within(rows[2]).getByText('prod-bj')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Failing')).toBeInTheDocument();
    expect(within(rows[2]).getByText('dial tcp 10.0.0.7:9090: connection refused')).toBeInTheDocument();

    expect(screen.getByTestId(testIds.overview.version)).toHaveTextContent('Backend version 0.1.0-test');
  });

  test('a failing store and a null cluster list (Go nil slice) render without a table', async () => {
    serve(() => ({
      data: {
        ...healthy,
        store: { ...healthy.store, ok: false, mode: 'server', message: 'auth failed' },
        prometheus: null,
      },
    }));

    render(<Overview />);

    const store = await screen.findByTestId(testIds.overview.store);
    expect(within(store).getByText('ClickHouse server')).toBeInTheDocument();
    expect(within(store).getByText('Failing')).toBeInTheDocument();
    expect(within(store).getByText('auth failed')).toBeInTheDocument();
    expect(screen.getByText('No cluster is configured yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /configure/i })).toHaveAttribute('href', '/plugins/kubedoor-capacity-app');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  test('shows the backend error body and retries on demand', async () => {
    let calls = 0;
    const { requests } = serve((req) => {
      calls++;
      return calls === 1
        ? { error: fetchError(req, 503, { error: 'store is not ready: migrating', code: 'store_unavailable' }) }
        : { data: healthy };
    });

    render(<Overview />);

    expect(await screen.findByText('Could not load the backend status')).toBeInTheDocument();
    expect(screen.getByText('store is not ready: migrating')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.overview.store)).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId(testIds.overview.retry));

    expect(await screen.findByTestId(testIds.overview.store)).toBeInTheDocument();
    expect(screen.queryByText('Could not load the backend status')).not.toBeInTheDocument();
    expect(requests).toHaveLength(2);
  });

  test('an error without a typed body falls back to the HTTP status', async () => {
    serve((req) => ({ error: fetchError(req, 502, '<html>Bad Gateway</html>') }));

    render(<Overview />);

    expect(await screen.findByText('Error (HTTP 502)')).toBeInTheDocument();
  });
});
