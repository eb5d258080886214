import React, { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { t } from '../../i18n';
import { LoadingPlaceholder } from '@grafana/ui';

import { ROUTES } from '../../constants';
import type { AppSettings } from '../../types';
import { AppContextProvider } from '../AppContext';

// One chunk per page: a page's code loads only when it is opened.
const Overview = lazy(() => import('../../pages/Overview/Overview'));
const ControlTable = lazy(() => import('../../pages/ControlTable/ControlTable'));
const PeakData = lazy(() => import('../../pages/PeakData/PeakData'));
const Schedules = lazy(() => import('../../pages/Schedules/Schedules'));
const Audit = lazy(() => import('../../pages/Audit/Audit'));
const Clusters = lazy(() => import('../../pages/Clusters/Clusters'));
const Recommendations = lazy(() => import('../../pages/Recommendations/Recommendations'));
const Nodes = lazy(() => import('../../pages/Nodes/Nodes'));

function App(props: AppRootProps<Partial<AppSettings>>) {
  return (
    <AppContextProvider jsonData={props.meta?.jsonData}>
      <Suspense fallback={<LoadingPlaceholder text={t('app.loading', 'Loading...')} />}>
        <Routes>
          <Route path={ROUTES.Overview} element={<Overview />} />
          <Route path={ROUTES.Control} element={<ControlTable />} />
          <Route path={ROUTES.Peaks} element={<PeakData />} />
          <Route path={ROUTES.Schedules} element={<Schedules />} />
          <Route path={ROUTES.Audit} element={<Audit />} />
          <Route path={ROUTES.Clusters} element={<Clusters />} />
          <Route path={ROUTES.Recommendations} element={<Recommendations />} />
          <Route path={ROUTES.Nodes} element={<Nodes />} />
          {/* Unknown paths (and the app root) land on the Overview, the plugin.json defaultNav page. */}
          <Route path="*" element={<Overview />} />
        </Routes>
      </Suspense>
    </AppContextProvider>
  );
}

export default App;
