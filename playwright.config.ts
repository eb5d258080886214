// Playwright specs for a REAL Grafana (tests/e2e), with @grafana/plugin-e2e. Run them on a
// machine with Docker: `go tool mage && docker compose up -d && npx playwright test`
// (GRAFANA_URL overrides http://localhost:3000; browsers: `npx playwright install chromium`).
// They cannot run on this project's CI machines (no Docker, no Grafana): the browser run there is
// `npm run test:browser` (tests/browser), which mounts the same build without Grafana.
import { dirname } from 'path';
import { defineConfig, devices } from '@playwright/test';
import type { PluginOptions } from '@grafana/plugin-e2e';

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;

export default defineConfig<PluginOptions>({
  testDir: './tests/e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results/e2e',
  use: {
    baseURL: process.env.GRAFANA_URL ?? 'http://localhost:3000',
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
  },
  projects: [
    // Logs in as the default admin and stores the session for the admin specs.
    { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
    // Creates a Viewer and stores its session for the read-only specs.
    {
      name: 'createViewer',
      testDir: pluginE2eAuth,
      testMatch: [/.*auth\.setup\.ts/, /.*\.js/],
      use: { user: { user: 'kd-viewer', password: 'kd-viewer-pass', role: 'Viewer' } },
    },
    {
      name: 'admin',
      testIgnore: /viewer\//,
      use: { ...devices['Desktop Chrome'], storageState: 'playwright/.auth/admin.json' },
      dependencies: ['auth'],
    },
    {
      name: 'viewer',
      testMatch: /viewer\/.*\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], storageState: 'playwright/.auth/kd-viewer.json' },
      dependencies: ['createViewer'],
    },
  ],
});
