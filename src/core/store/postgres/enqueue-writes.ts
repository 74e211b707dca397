import type { MessagePayload } from '../../messages/types.js';
import { DEFAULT_TENANT } from '../records.js';
import { guardOf } from '../sql/transitions.js';
import type { Db } from './connection.js';
import { enqueueKey, type EnqueuePlan, type EnqueueRow, type Existing } from './enqueue-plan.js';
import type { PgOutbox } from './outbox.js';

/**
 * A batch's rows as one array per column, unnested into a relation `r` (one statement per batch, not
 * per message). Columns: t tenant, i id, acc account, bc batch code, pri priority, st state, pl payload,
 * subj, fa from, ta to, dts deferred_ts, dr deferred reason; $13 now, $14 source_captured_id.
 */
const ROWS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::text[], $11::bigint[], $12::text[]) WITH ORDINALITY AS r(t, i, acc, bc, pri, st, pl, subj, fa, ta, dts, dr, n)`;

// ORDER BY n: the new rows take their seq (queue position) in the batch's order
const INSERT = `INSERT INTO messages (tenant_id, id, account_id, batch_code, priority, state, payload, subject, from_addr, to_addrs,
    deferred_ts, deferred_reason, created_ts, updated_ts, source_captured_id)
  SELECT t, i, acc, bc, pri, st, pl, subj, fa, ta, dts, dr, $13::bigint, $13::bigint, $14::bigint FROM ${ROWS} ORDER BY n`;

// a replaced message keeps its seq (queue position) and created_ts, as genro-mail-proxy does
const REPLACE = `UPDATE messages SET account_id = r.acc, batch_code = r.bc, priority = r.pri, state = r.st, payload = r.pl,
    subject = r.subj, from_addr = r.fa, to_addrs = r.ta, updated_ts = $13::bigint, deferred_ts = r.dts, deferred_reason = r.dr,
    sent_ts = NULL, error_ts = NULL, error = NULL, reported_ts = NULL, retry_count = 0, attempts = 0, first_attempt_ts = NULL,
    lease_until = NULL, sandbox = 0, smtp_message_id = NULL, captured_id = NULL, recipients = NULL, source_captured_id = $14::bigint
  FROM ${ROWS} WHERE messages.tenant_id = r.t AND messages.id = r.i AND ${guardOf('replace', 'messages')}`;

function columns(rows: EnqueueRow[], now: number, sourceCapturedId: number | null): unknown[] {
  const col = <K extends keyof EnqueueRow>(k: K) => rows.map((r) => r[k]);
  return [col('tenant_id'), col('id'), col('account_id'), col('batch_code'), col('priority'), col('state'), col('payload'), col('subject'),
    col('from_addr'), col('to_addrs'), col('deferred_ts'), col('deferred_reason'), now, sourceCapturedId];
}

/** The rows the batch names that exist already, in one statement. */
export async function readExisting(db: Db, batch: MessagePayload[]): Promise<Map<string, Existing>> {
  const { rows } = await db.query<Existing & { tenant_id: string; id: string }>(
    `SELECT m.tenant_id, m.id, m.state, m.sent_ts FROM messages m JOIN unnest($1::text[], $2::text[]) AS k(t, i)
       ON m.tenant_id = k.t AND m.id = k.i`,
    [batch.map((m) => m.tenant_id ?? DEFAULT_TENANT), batch.map((m) => m.id)],
  );
  return new Map(rows.map((r) => [enqueueKey(r.tenant_id, r.id), r]));
}

/** Writes a planned batch inside the open transaction: at most one INSERT, one UPDATE and one timeline INSERT. */
export async function writeEnqueuePlan(db: Db, outbox: PgOutbox, plan: EnqueuePlan, now: number, sourceCapturedId: number | null): Promise<void> {
  if (plan.inserts.length > 0) await db.query(INSERT, columns(plan.inserts, now, sourceCapturedId));
  if (plan.replaces.length > 0) {
    const { rowCount } = await db.query(REPLACE, columns(plan.replaces, now, sourceCapturedId));
    // the rows were read in this transaction; a row the guard refused means another writer changed it since
    if (rowCount !== plan.replaces.length) throw new Error(`replacing ${plan.replaces.length} messages: the state machine refused ${plan.replaces.length - (rowCount ?? 0)}`);
  }
  await outbox.recordMany(db, plan.events);
}
