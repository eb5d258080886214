// Loads the app's built modules from dist/ (served by the devhost under /public/plugins/<id>/)
// the way Grafana does, with the shared modules this host provides.
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import type { AppPlugin, DataSourceApi, DataSourceInstanceSettings, DataSourcePlugin } from '@grafana/data';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as i18next from 'i18next';
import * as lodash from 'lodash';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactRouter from 'react-router';
import * as rxjs from 'rxjs';

import { loadAmd } from './amd';

const BASE = '/public/plugins/kubedoor-capacity-app';

// What Grafana shares with plugins (the scaffold's webpack externals), as module namespaces.
const shared: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': jsxRuntime,
  'react-router': reactRouter,
  rxjs,
  lodash,
  i18next,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
};

export async function loadApp(): Promise<AppPlugin> {
  const mod = (await loadAmd(`${BASE}/module.js`, shared)) as { plugin: AppPlugin };
  return mod.plugin;
}

let ds: Promise<DataSourceApi> | undefined;

/** The nested datasource, instantiated as the provisioned instance (uid kubedoor-capacity). */
export function loadDatasource(): Promise<DataSourceApi> {
  ds ??= (async () => {
    const mod = (await loadAmd(`${BASE}/datasource/module.js`, shared)) as { plugin: DataSourcePlugin<DataSourceApi> };
    const meta = await (await fetch(`${BASE}/datasource/plugin.json`)).json();
    const settings = {
      id: 1,
      uid: 'kubedoor-capacity',
      type: meta.id,
      name: 'KubeDoor Capacity',
      meta,
      jsonData: {},
      readOnly: true,
      access: 'proxy',
    } as unknown as DataSourceInstanceSettings;
    const Ctor = mod.plugin.DataSourceClass as unknown as new (s: DataSourceInstanceSettings) => DataSourceApi;
    return new Ctor(settings);
  })();
  return ds;
}
