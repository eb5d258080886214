import { expect, test } from '@grafana/plugin-e2e';

// The provisioned dashboards load, resolve their variables through the app's datasource and show
// no panel errors (panels may say "No data" before anything was collected).
for (const fileName of [
  'kubedoor-cluster.json',
  'kubedoor-top.json',
  'kubedoor-namespaces.json',
  'kubedoor-workload.json',
  'kubedoor-savings.json',
]) {
  test(`${fileName} has no panel errors`, async ({ readProvisionedDashboard, gotoDashboardPage }) => {
    const dashboard = await readProvisionedDashboard({ fileName });
    const dashboardPage = await gotoDashboardPage(dashboard);
    await expect(dashboardPage).not.toHavePanelErrors();
  });
}

test('the datasource health check reaches the app backend', async ({
  readProvisionedDataSource,
  gotoDataSourceConfigPage,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'kubedoor.yaml' });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
});
