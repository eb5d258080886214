import React, { lazy, Suspense } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { initPluginTranslations } from '@grafana/i18n';
import { LoadingPlaceholder } from '@grafana/ui';

import { PLUGIN_ID } from './constants';
import type { AppConfigProps } from './pages/AppConfig/AppConfig';
import type { AppSettings } from './types';

// The app's strings live in their own i18next namespace (the plugin id), so keys never collide
// with Grafana's; English defaults are in the code, translations can be added as loaders here.
initPluginTranslations(PLUGIN_ID).catch((err: unknown) => console.error('kubedoor: i18n init failed', err));

// Lazy so that Grafana loads the app's code only when one of its pages is opened.
const LazyApp = lazy(() => import('./components/App/App'));
const LazyAppConfig = lazy(() => import('./pages/AppConfig/AppConfig'));

const App = (props: AppRootProps<Partial<AppSettings>>) => (
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
