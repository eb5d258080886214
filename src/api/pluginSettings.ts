import { PLUGIN_SETTINGS_URL } from '../constants';
import type { AppSettings, SecureSettings } from '../types';
import { request } from './client';

/** Body of Grafana's POST /api/plugins/<id>/settings. */
export interface PluginSettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  /** Keys this page does not edit (set by other pages or the backend) are passed through. */
  jsonData: AppSettings & Record<string, unknown>;
  /** Omitted keys keep their stored value; Grafana never returns secrets to the browser. */
  secureJsonData?: SecureSettings;
}

/** POST /api/plugins/kubedoor-capacity-app/settings (Grafana's API, not the backend's). */
export function savePluginSettings(update: PluginSettingsUpdate): Promise<unknown> {
  return request<unknown>({ url: PLUGIN_SETTINGS_URL, method: 'POST', data: update });
}
