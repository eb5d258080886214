// The browser test host: what Grafana does before it renders an app page — boot config, theme,
// runtime services (BackendSrv, PluginPage, location), loading the plugin's module.js — done
// here over the devhost, so the built plugin runs unchanged against its real backend.
import React, { useLayoutEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from 'react-router-dom';
import { type AppPluginMeta, PluginType } from '@grafana/data';
import { config, locationService, setBackendSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
// Not exported by @grafana/runtime's package entry; the webpack config aliases the file.
import { setPluginPage } from '@kd-host/plugin-page';

import { loadApp } from './plugins';
import { createBackendSrv } from './services';
import { makePluginPage, type PluginJson, Shell } from './Shell';

setBackendSrv(createBackendSrv());

function HostRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((loc: typeof history.location) => setLocation(loc)), [history]);
  return (
    <Router location={location} navigator={history}>
      {children}
    </Router>
  );
}

async function main() {
  const root = createRoot(document.getElementById('reactRoot')!);
  try {
    const [json, settings] = await Promise.all([
      fetch('/public/plugins/kubedoor-capacity-app/plugin.json').then((r) => r.json() as Promise<PluginJson>),
      fetch('/api/plugins/kubedoor-capacity-app/settings').then((r) => r.json()),
    ]);
    setPluginPage(makePluginPage(json));
    const plugin = await loadApp();
    const meta = {
      ...settings,
      type: PluginType.app,
      info: { logos: { small: '', large: '' } },
      module: '/public/plugins/kubedoor-capacity-app/module.js',
      baseUrl: '/public/plugins/kubedoor-capacity-app',
    } as AppPluginMeta;
    plugin.init(meta);
    plugin.meta = meta;
    const user = config.bootData.user;
    root.render(
      <ThemeContext.Provider value={config.theme2}>
        <GlobalStyles />
        <HostRouter>
          <Shell plugin={plugin} meta={meta} json={json} role={user.orgRole as 'Viewer'} login={user.login} />
        </HostRouter>
      </ThemeContext.Provider>
    );
    document.body.dataset.hostReady = 'true';
  } catch (err) {
    document.body.dataset.hostError = String(err);
    root.render(<pre style={{ color: 'red' }}>{`The host could not start the plugin: ${String(err)}`}</pre>);
  }
}

main();
