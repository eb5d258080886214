import { expect, test } from '@grafana/plugin-e2e';

import { PLUGIN_ID, testIds } from '../ids';

test('a Viewer reads the control table but gets no write controls', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: PLUGIN_ID, path: 'control' });
  await expect(page.getByTestId(testIds.control.container)).toBeVisible();
  await expect(page.getByTestId(testIds.common.loading)).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId(testIds.control.add)).toHaveCount(0);
  await expect(page.getByTestId(testIds.control.batchScale)).toHaveCount(0);
});

test("a Viewer's write is refused by the backend with a reason", async ({ page, request }) => {
  const res = await request.post(`/api/plugins/${PLUGIN_ID}/resources/v1/actions/restart`, {
    data: { items: [{ cluster: 'local', namespace: 'default', workload: 'x' }], intervalSeconds: 0 },
  });
  expect(res.status()).toBe(403);
  expect((await res.json()).code).toBe('forbidden');
  await page.goto(`/a/${PLUGIN_ID}/audit`);
  await expect(page.getByTestId(testIds.audit.container)).toBeVisible();
});

test('a Viewer does not get the configuration page', async ({ page }) => {
  await page.goto(`/plugins/${PLUGIN_ID}`);
  await expect(page.getByTestId(testIds.appConfig.form)).toHaveCount(0);
});
