import { request } from './client';
import type { AuditEntry, AuditQuery, Page } from './types';
import { apiUrl } from './url';

/** GET v1/audit, newest first. */
export function listAudit(q: AuditQuery = {}): Promise<Page<AuditEntry>> {
  const { cluster, user, action, target, result, from, to, limit, offset } = q;
  return request({
    url: apiUrl('audit', { cluster, user, action, target, result, from, to, limit, offset }),
    method: 'GET',
  });
}
