import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';

import { fakeApi, ok } from '../../testing/fakeApi';
import { VIEWER } from '../../testing/fixtures';
import { testIds } from '../testIds';
import App from './App';

const props = {
  meta: { jsonData: { clusters: [{ name: 'prod-a', prometheusUrl: 'http://p:9090', timeZone: 'UTC' }] } },
} as unknown as AppRootProps;

// Grafana mounts the root page under /a/<plugin id>/*; mirror that so relative routes resolve.
function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/a/kubedoor-capacity-app/*" element={<App {...props} />} />
      </Routes>
    </MemoryRouter>
  );
}

describe('App routes', () => {
  beforeEach(() => {
    fakeApi({
      'GET me': ok(VIEWER),
      'GET status': ok({
        store: { ok: true, mode: 'embedded', message: '', schemaVersion: 1 },
        prometheus: [],
        version: 'x',
      }),
    });
  });

  // Pages are lazy chunks; importing one in jsdom can take seconds on a small machine.
  test.each([
    ['/a/kubedoor-capacity-app/overview', testIds.overview.container],
    ['/a/kubedoor-capacity-app', testIds.overview.container],
    ['/a/kubedoor-capacity-app/no-such-page', testIds.overview.container],
    ['/a/kubedoor-capacity-app/control', testIds.control.container],
    ['/a/kubedoor-capacity-app/peaks', testIds.peaks.container],
    ['/a/kubedoor-capacity-app/schedules', testIds.schedules.container],
    ['/a/kubedoor-capacity-app/audit', testIds.audit.container],
    ['/a/kubedoor-capacity-app/clusters', testIds.clusters.container],
    ['/a/kubedoor-capacity-app/recommendations', testIds.recommend.container],
  ])('%s shows its page', async (path, testId) => {
    renderAt(path);
    expect(await screen.findByTestId(testId, {}, { timeout: 20000 })).toBeInTheDocument();
  });
});
