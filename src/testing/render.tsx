import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, type RenderResult } from '@testing-library/react';

import { type AppContextValue, StaticAppContext } from '../components/AppContext';

/** Renders a page as the app root would: under a router at `path`, with the app context given. */
export function renderPage(
  ui: React.ReactElement,
  ctx: AppContextValue,
  path = '/a/kubedoor-capacity-app/'
): RenderResult {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <StaticAppContext value={ctx}>{ui}</StaticAppContext>
    </MemoryRouter>
  );
}
