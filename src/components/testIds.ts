// data-testid values shared by unit tests and the Playwright specs.
export const testIds = {
  overview: {
    container: 'data-testid kd-overview',
    store: 'data-testid kd-overview-store',
    version: 'data-testid kd-overview-version',
    retry: 'data-testid kd-overview-retry',
  },
  appConfig: {
    form: 'data-testid kd-config-form',
    storageMode: 'data-testid kd-config-storage-mode',
    dataDir: 'data-testid kd-config-data-dir',
    address: 'data-testid kd-config-address',
    database: 'data-testid kd-config-database',
    username: 'data-testid kd-config-username',
    password: 'data-testid kd-config-password',
    chCluster: 'data-testid kd-config-ch-cluster',
    tls: 'data-testid kd-config-tls',
    clusterName: 'data-testid kd-config-cluster-name',
    prometheusUrl: 'data-testid kd-config-prometheus-url',
    clusterLabelKey: 'data-testid kd-config-cluster-label-key',
    clusterLabelValue: 'data-testid kd-config-cluster-label-value',
    timeZone: 'data-testid kd-config-time-zone',
    submit: 'data-testid kd-config-submit',
  },
};
