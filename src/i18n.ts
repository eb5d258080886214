// Every user-visible string goes through `t(key, English default, values)` so the app can be
// translated by adding locales/<lang>/kubedoor-capacity-app.json (loaded in module.tsx).
import { t as grafanaT } from '@grafana/i18n';

type Values = Record<string, string | number | boolean | null | undefined>;

/**
 * Grafana's `t` with interpolated values left unescaped: React escapes what it renders, and
 * i18next's own HTML escaping would show "shop&#x2F;checkout" for "shop/checkout".
 */
export function t(key: string, defaultMessage: string, values?: Values): string {
  if (!values) {
    return grafanaT(key, defaultMessage);
  }
  return grafanaT(key, defaultMessage, { ...values, interpolation: { escapeValue: false } } as unknown as Values);
}
