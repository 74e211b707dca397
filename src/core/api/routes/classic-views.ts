import type { MessageRecord } from '../../messages/types.js';
import type { PublicAccount } from '../../services/index.js';

/** genro-mail-proxy answers omit null fields (response_model_exclude_none). */
export function omitNulls<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function sqlTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/** AccountInfo: every field but the password. */
export function accountInfo(a: PublicAccount) {
  const { password_set: _password, updated_ts: _updated, ...rest } = a;
  return omitNulls(rest);
}

/** MessageRecord of GET /messages: the stored payload under `message`, with retry_count as the original keeps it. */
export function classicMessageRecord(m: MessageRecord) {
  return omitNulls({
    id: m.id,
    account_id: m.account_id,
    priority: m.priority,
    message: { ...m.payload, ...(m.retry_count > 0 ? { retry_count: m.retry_count } : {}) },
    deferred_ts: m.state === 'deferred' ? m.deferred_ts : null,
    sent_ts: m.sent_ts,
    error_ts: m.error_ts,
    error: m.error,
    reported_ts: m.reported_ts,
    created_at: sqlTimestamp(m.created_ts),
    updated_at: sqlTimestamp(m.updated_ts),
    state: m.state,
  });
}
