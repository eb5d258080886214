// Must equal "id" in the repo-root plugin.json (checked by constants.test.ts).
export const PLUGIN_ID = 'kubedoor-capacity-app';

export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

// Grafana's own plugin settings endpoint (jsonData / secureJsonData).
export const PLUGIN_SETTINGS_URL = `/api/plugins/${PLUGIN_ID}/settings`;

// Root of the Go backend's resource routes; every route is versioned under v1.
export const API_BASE_URL = `/api/plugins/${PLUGIN_ID}/resources/v1`;

// Where an admin edits the app config (the "Configuration" nav entry in plugin.json).
export const CONFIG_PAGE_URL = `/plugins/${PLUGIN_ID}`;

/** docs/troubleshooting.md in the project's repository (deploy/helm/kubedoor/Chart.yaml `home`). */
export const TROUBLESHOOTING_URL = 'https://github.com/kubedoor/kubedoor-grafana/blob/HEAD/docs/troubleshooting.md';

/** The troubleshooting page's sections the Overview's checks link to (GitHub's heading anchors). */
export const TROUBLESHOOTING = {
  webhook: 'the-webhook-is-not-called',
  denied: 'a-change-is-denied-or-patched-unexpectedly',
  policy: 'the-policy-is-not-published',
  engine: 'the-engine-is-not-found-embedded-clickhouse',
  schedules: 'schedules-do-not-run',
} as const;

// The nested datasource (src/datasource/plugin.json) and the instance provisioning creates.
export const DATASOURCE_TYPE = 'kubedoor-capacity-datasource';
export const DATASOURCE_UID = 'kubedoor-capacity';

export enum ROUTES {
  Overview = 'overview',
  Control = 'control',
  Peaks = 'peaks',
  Schedules = 'schedules',
  Audit = 'audit',
  Clusters = 'clusters',
  Recommendations = 'recommendations',
  Nodes = 'nodes',
}

/** App page URL with query parameters (empty values left out). */
export function pageUrl(route: ROUTES, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v) {
      params.set(k, v);
    }
  }
  const qs = params.toString();
  return `${PLUGIN_BASE_URL}/${route}${qs ? `?${qs}` : ''}`;
}

// Provisioned dashboards (provisioning/dashboards/*.json), linked from the pages.
export const DASHBOARDS = {
  cluster: 'kubedoor-cluster',
  top: 'kubedoor-top',
  namespaces: 'kubedoor-namespaces',
  workload: 'kubedoor-workload',
  savings: 'kubedoor-savings',
  nodes: 'kubedoor-nodes',
  live: 'kubedoor-live',
} as const;

/** Dashboard URL with template variables set (`var-cluster=…`). */
export function dashboardUrl(uid: string, vars: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(vars)) {
    if (v) {
      params.set(`var-${k}`, v);
    }
  }
  const qs = params.toString();
  return `/d/${uid}${qs ? `?${qs}` : ''}`;
}
