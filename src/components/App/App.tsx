import React, { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import { ROUTES } from '../../constants';

// One chunk per page: a page's code loads only when it is opened.
const Overview = lazy(() => import('../../pages/Overview/Overview'));

function App(_props: AppRootProps) {
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading..." />}>
      <Routes>
        <Route path={ROUTES.Overview} element={<Overview />} />
        {/* Unknown paths (and the app root) land on the Overview, the plugin.json defaultNav page. */}
        <Route path="*" element={<Overview />} />
      </Routes>
    </Suspense>
  );
}

export default App;
