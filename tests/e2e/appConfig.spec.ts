import { expect, test } from '@grafana/plugin-e2e';

import { PLUGIN_ID, testIds } from './ids';

const ids = testIds.appConfig;

test('an admin sees the provisioned storage and cluster, tests the connection and saves', async ({
  gotoAppConfigPage,
  page,
}) => {
  const configPage = await gotoAppConfigPage({ pluginId: PLUGIN_ID });

  await expect(page.getByTestId(ids.form)).toBeVisible();
  // docker-compose provisions server storage and one cluster named "local" (provisioning/plugins/apps.yaml).
  await expect(page.getByRole('radio', { name: 'Server' })).toBeChecked();
  await expect(page.getByTestId(ids.clusterField(0, 'name'))).toHaveValue('local');

  await page.getByTestId(ids.testCluster(0)).click();
  const result = page.getByTestId(ids.testResult(0));
  await expect(result).toContainText('Prometheus');
  await expect(result).toContainText('Kubernetes');

  const saved = configPage.waitForSettingsResponse();
  await page.getByTestId(ids.submit).click();
  await expect(saved).toBeOK();
});

test('an invalid cluster cannot be saved and says why', async ({ gotoAppConfigPage, page }) => {
  await gotoAppConfigPage({ pluginId: PLUGIN_ID });
  await page.getByTestId(ids.clusterField(0, 'timeZone')).fill('Mars/Olympus');
  await expect(page.getByText('An IANA time zone name, e.g. Asia/Shanghai or UTC')).toBeVisible();
  await expect(page.getByTestId(ids.submit)).toBeDisabled();
});
