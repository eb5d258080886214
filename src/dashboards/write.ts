// Writes the dashboards defined in definitions.ts to provisioning/dashboards/. Run with
// `npm run dashboards`; dashboards.test.ts fails when the committed files are out of date.
import fs from 'fs';
import path from 'path';

import { dashboardFiles } from './definitions';

const dir = path.resolve(__dirname, '..', '..', 'provisioning', 'dashboards');
fs.mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(dashboardFiles())) {
  fs.writeFileSync(path.join(dir, name), text);
  console.log(`wrote ${path.relative(process.cwd(), path.join(dir, name))}`);
}
