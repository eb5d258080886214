import React from 'react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { render, type RenderResult } from '@testing-library/react';

import { type AppContextValue, StaticAppContext } from '../components/AppContext';

let lastLocation = '';

function LocationProbe() {
  const loc = useLocation();
  lastLocation = `${loc.pathname}${loc.search}`;
  return null;
}

/** Renders a page as the app root would: under a router at `path`, with the app context given. */
export function renderPage(
  ui: React.ReactElement,
  ctx: AppContextValue,
  path = '/a/kubedoor-capacity-app/'
): RenderResult {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <StaticAppContext value={ctx}>
        {ui}
        <LocationProbe />
      </StaticAppContext>
    </MemoryRouter>
  );
}

/** The router location after the last render (path + query). */
export function currentLocation(): string {
  return lastLocation;
}
