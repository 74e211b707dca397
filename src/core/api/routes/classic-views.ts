import type { ClassicAccountInfo, ClassicMessageRecord } from '../../../shared/api/index.js';
import type { MessageRecord } from '../../messages/types.js';
import { classicState } from '../../messages/classic-state.js';
import { sqlTimestamp, withoutNulls, type PublicAccount } from '../../services/index.js';

/** genro-mail-proxy answers omit null fields (response_model_exclude_none). */
export const omitNulls = withoutNulls;
export type { WithoutNulls } from '../../services/index.js';

/** '' (the default tenant) is left out, so a relay without tenants answers as before. */
const tenantOf = (tenantId: string) => (tenantId === '' ? null : tenantId);

/** AccountInfo: every field but the password. */
export function accountInfo(a: PublicAccount): ClassicAccountInfo {
  // allow_insecure_auth is the relay's own field: AccountInfo keeps genro-mail-proxy's shape
  const { password_set: _password, updated_ts: _updated, allow_insecure_auth: _insecure, tenant_id, ...rest } = a;
  return omitNulls({ ...rest, tenant_id: tenantOf(tenant_id) });
}

/** MessageRecord of GET /messages: the stored payload under `message`, with retry_count as the original keeps it. */
export function classicMessageRecord(m: MessageRecord): ClassicMessageRecord {
  return omitNulls({
    id: m.id,
    tenant_id: tenantOf(m.tenant_id),
    account_id: m.account_id,
    priority: m.priority,
    batch_code: m.batch_code,
    message: { ...m.payload, ...(m.retry_count > 0 ? { retry_count: m.retry_count } : {}) },
    deferred_ts: m.state === 'deferred' ? m.deferred_ts : null,
    sent_ts: m.sent_ts,
    error_ts: m.error_ts,
    error: m.error,
    reported_ts: m.reported_ts,
    created_at: sqlTimestamp(m.created_ts),
    updated_at: sqlTimestamp(m.updated_ts),
    state: classicState(m),
  });
}
