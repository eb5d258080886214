// Display formats shared by pages and tests. Control-table values are integers in millicores and
// MiB with -1 meaning "unset"; peak data are cores and bytes.
import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';

const MIB = 1024 * 1024;

export const UNSET = '—';

/** 350 → "350m"; -1 → "—". */
export function formatMillis(m: number | null | undefined): string {
  if (m === null || m === undefined || m < 0) {
    return UNSET;
  }
  return `${Math.round(m)}m`;
}

/** 420 → "420 MiB"; 2048 → "2 GiB"; 1536 → "1.5 GiB"; -1 → "—". */
export function formatMiB(n: number | null | undefined): string {
  if (n === null || n === undefined || n < 0) {
    return UNSET;
  }
  if (n >= 1024) {
    return `${trim(n / 1024)} GiB`;
  }
  return `${Math.round(n)} MiB`;
}

/** Peak data: 0.3504 cores → "351m". Negative or missing means "not measured". */
export function formatCores(c: number | null | undefined): string {
  if (c === null || c === undefined || c < 0 || !Number.isFinite(c)) {
    return UNSET;
  }
  return formatMillis(c * 1000);
}

/** Peak data: bytes → MiB/GiB. */
export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || b < 0 || !Number.isFinite(b)) {
    return UNSET;
  }
  return formatMiB(b / MIB);
}

/** 37.25 (percent) → "37%". */
export function formatPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p) || p < 0) {
    return UNSET;
  }
  return `${Math.round(p)}%`;
}

/** 0.372 (ratio) → "37.2%". */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r) || r < 0) {
    return UNSET;
  }
  return `${trim(r * 100)}%`;
}

/** RFC 3339 → "2026-11-22 10:00:00" in the viewer's zone; empty/null → "—". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return UNSET;
  }
  return dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });
}

export function formatAgo(iso: string | null | undefined): string {
  if (!iso) {
    return UNSET;
  }
  return dateTimeFormatTimeAgo(iso);
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}

/**
 * How much of a request the peak actually used: usage / request, or undefined when either is
 * not measured. Below `WASTE_BELOW` is flagged as waste, above 1 as under-requested.
 */
export function usageOfRequest(usage: number, request: number): number | undefined {
  if (!(request > 0) || !(usage >= 0)) {
    return undefined;
  }
  return usage / request;
}

export const WASTE_BELOW = 0.5;

/** 1234.5, "USD" → "$1,234.50"; an unknown currency code is written after the number. */
export function formatMoney(n: number | null | undefined, currency: string): string {
  if (n === null || n === undefined || !Number.isFinite(n)) {
    return UNSET;
  }
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

/** Recommendations: 3.14159 cores → "3.14 cores", 0.05 → "0.05 cores"; GiB the same way. */
export function formatCoreCount(c: number): string {
  return `${Number(c.toFixed(2))} cores`;
}

export function formatGiB(g: number): string {
  return `${Number(g.toFixed(2))} GiB`;
}
