import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Stack, Text, useStyles2 } from '@grafana/ui';

import { t } from '../../i18n';

interface Props {
  /** The node's allocatable amount of this resource; 0 means none reported. */
  allocatable: number;
  requested: number;
  table: number;
  peak: number;
  format: (v: number) => string;
  testId?: string;
}

/** Three bars against allocatable: what pods request now, under the control table, and used at their peak. */
export function CapacityBars({ allocatable, requested, table, peak, format, testId }: Props) {
  const styles = useStyles2(getStyles);
  const bars = [
    { key: 'requested', label: t('nodes.bar.requested', 'requested'), value: requested, className: styles.requested },
    { key: 'table', label: t('nodes.bar.table', 'table'), value: table, className: styles.table },
    { key: 'peak', label: t('nodes.bar.peak', 'peak'), value: peak, className: styles.peak },
  ];
  return (
    <div data-testid={testId} className={styles.box}>
      <Stack direction="column" gap={0.25}>
        {bars.map((b) => {
          const share = allocatable > 0 ? b.value / allocatable : undefined;
          const text =
            share === undefined
              ? `${b.label} ${format(b.value)}`
              : `${b.label} ${format(b.value)} (${Math.round(share * 100)}%)`;
          return (
            <div key={b.key} className={styles.row} title={text}>
              <div className={styles.track}>
                <div
                  className={b.className}
                  style={{ width: `${Math.min(100, Math.round((share ?? 0) * 100))}%` }}
                  data-bar={b.key}
                />
              </div>
              <Text variant="bodySmall" color="secondary">
                {text}
              </Text>
            </div>
          );
        })}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const fill = (color: string) => css({ height: '100%', background: color, borderRadius: theme.shape.radius.default });
  return {
    box: css({ minWidth: 220 }),
    row: css({ display: 'grid', gridTemplateColumns: '90px 1fr', alignItems: 'center', gap: theme.spacing(1) }),
    track: css({
      height: 8,
      background: theme.colors.background.secondary,
      borderRadius: theme.shape.radius.default,
      overflow: 'hidden',
    }),
    requested: fill(theme.visualization.getColorByName('blue')),
    table: fill(theme.visualization.getColorByName('green')),
    peak: fill(theme.visualization.getColorByName('orange')),
  };
};
