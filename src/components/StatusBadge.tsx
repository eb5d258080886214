import React from 'react';
import { Badge } from '@grafana/ui';

interface Props {
  ok: boolean;
}

/** Green "OK" / red "Failing": the one health vocabulary used across pages. */
export function StatusBadge({ ok }: Props) {
  return ok ? (
    <Badge text="OK" color="green" icon="check" />
  ) : (
    <Badge text="Failing" color="red" icon="exclamation-triangle" />
  );
}
