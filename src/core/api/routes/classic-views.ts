import type { ClassicAccountInfo, ClassicMessageRecord } from '../../../shared/api/index.js';
import type { MessageRecord } from '../../messages/types.js';
import type { PublicAccount } from '../../services/index.js';

type Nullish<T> = { [K in keyof T]-?: null extends T[K] ? K : undefined extends T[K] ? K : never }[keyof T];
/** `T` with its null fields optional and never null: what omitNulls leaves. */
export type WithoutNulls<T> = Omit<T, Nullish<T>> & { [K in Nullish<T>]?: Exclude<T[K], null | undefined> };

/** genro-mail-proxy answers omit null fields (response_model_exclude_none). */
export function omitNulls<T extends object>(o: T): WithoutNulls<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out as WithoutNulls<T>;
}

function sqlTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/** AccountInfo: every field but the password. */
export function accountInfo(a: PublicAccount): ClassicAccountInfo {
  const { password_set: _password, updated_ts: _updated, ...rest } = a;
  return omitNulls(rest);
}

/** MessageRecord of GET /messages: the stored payload under `message`, with retry_count as the original keeps it. */
export function classicMessageRecord(m: MessageRecord): ClassicMessageRecord {
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
