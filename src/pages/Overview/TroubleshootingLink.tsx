import React from 'react';
import { TextLink } from '@grafana/ui';

import { t } from '../../i18n';
import { TROUBLESHOOTING, TROUBLESHOOTING_URL } from '../../constants';

/** A link to the troubleshooting page's section for an Overview check (opens in a new tab). */
export function TroubleshootingLink({ section }: { section: keyof typeof TROUBLESHOOTING }) {
  return (
    <TextLink href={`${TROUBLESHOOTING_URL}#${TROUBLESHOOTING[section]}`} external inline={false} variant="bodySmall">
      {t('overview.troubleshooting', 'Troubleshooting')}
    </TextLink>
  );
}
