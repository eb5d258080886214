import type { Paging } from './types';

/** GET v1/audit: who changed what, when, with what result. */
/** pending: an action began and its result is not recorded yet; unknown: the backend stopped before it was. */
export type AuditResult = 'ok' | 'denied' | 'failed' | 'pending' | 'unknown';

export interface AuditEntry {
  id: string;
  at: string;
  user: string;
  role: string;
  action: string;
  cluster: string;
  target: string;
  before: unknown;
  after: unknown;
  result: AuditResult;
  error: string;
  /** Set on an entry the backend wrote later from a stored version whose own entry was lost. */
  note?: string;
}

export interface AuditQuery extends Paging {
  cluster?: string;
  user?: string;
  action?: string;
  /** Matches as a prefix. */
  target?: string;
  result?: AuditResult | '';
  /** RFC 3339. */
  from?: string;
  to?: string;
}
