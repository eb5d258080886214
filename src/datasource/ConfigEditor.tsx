import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Alert } from '@grafana/ui';

import { t } from '../i18n';
import type { KubeDoorOptions } from './types';

type Props = DataSourcePluginOptionsEditorProps<KubeDoorOptions>;

/** Nothing to configure: the datasource reads the KubeDoor app that ships it. */
export function ConfigEditor(_props: Props) {
  return (
    <Alert severity="info" title={t('ds.config.title', 'No settings needed')}>
      {t(
        'ds.config.body',
        "This datasource reads the KubeDoor Capacity app's peak data through the app's backend, with your Grafana session and role. Configure clusters and storage on the app's configuration page."
      )}
    </Alert>
  );
}
