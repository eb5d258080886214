import fs from 'fs';
import path from 'path';

import { API_BASE_URL, PLUGIN_ID } from './constants';

describe('constants', () => {
  test('PLUGIN_ID matches the repo-root plugin.json', () => {
    const pluginJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'plugin.json'), 'utf8'));
    expect(PLUGIN_ID).toBe(pluginJson.id);
  });

  test('backend routes live under the plugin resource path, version 1', () => {
    expect(API_BASE_URL).toBe('/api/plugins/kubedoor-capacity-app/resources/v1');
  });
});
