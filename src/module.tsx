import React, { lazy, Suspense } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import type { AppConfigProps } from './pages/AppConfig/AppConfig';
import type { AppSettings } from './types';

// Lazy so that Grafana loads the app's code only when one of its pages is opened.
const LazyApp = lazy(() => import('./components/App/App'));
const LazyAppConfig = lazy(() => import('./pages/AppConfig/AppConfig'));

const App = (props: AppRootProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyApp {...props} />
  </Suspense>
);

const AppConfig = (props: AppConfigProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyAppConfig {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<Partial<AppSettings>>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
