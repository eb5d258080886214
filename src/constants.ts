// Must equal "id" in the repo-root plugin.json (checked by constants.test.ts).
export const PLUGIN_ID = 'kubedoor-capacity-app';

export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

// Grafana's own plugin settings endpoint (jsonData / secureJsonData).
export const PLUGIN_SETTINGS_URL = `/api/plugins/${PLUGIN_ID}/settings`;

// Root of the Go backend's resource routes; every route is versioned under v1.
export const API_BASE_URL = `/api/plugins/${PLUGIN_ID}/resources/v1`;

// Where an admin edits the app config (the "Configuration" nav entry in plugin.json).
export const CONFIG_PAGE_URL = `/plugins/${PLUGIN_ID}`;

export enum ROUTES {
  Overview = 'overview',
}
