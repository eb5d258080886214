import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';

import { fakeBackendSrv } from '../../testing/fakeBackendSrv';
import { testIds } from '../testIds';
import App from './App';

// Grafana mounts the root page under /a/<plugin id>/*; mirror that so relative routes resolve.
function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/a/kubedoor-capacity-app/*" element={<App {...({} as AppRootProps)} />} />
      </Routes>
    </MemoryRouter>
  );
}

describe('App routes', () => {
  beforeEach(() => {
    setBackendSrv(
      fakeBackendSrv(() => ({
        data: { store: { ok: true, mode: 'embedded', message: '', schemaVersion: 1 }, prometheus: [], version: 'x' },
      })).srv
    );
  });

  // Pages are lazy chunks; importing one in jsdom can take seconds on a small machine.
  test.each(['/a/kubedoor-capacity-app/overview', '/a/kubedoor-capacity-app', '/a/kubedoor-capacity-app/no-such-page'])(
    '%s shows the Overview',
    async (path) => {
      renderAt(path);
      expect(await screen.findByTestId(testIds.overview.container, {}, { timeout: 20000 })).toBeInTheDocument();
    }
  );
});
