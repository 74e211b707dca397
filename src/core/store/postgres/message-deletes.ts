import { TRANSITIONS } from '../../messages/state-machine.js';
import { guardOf } from '../sql/transitions.js';
import type { Db } from './connection.js';
import type { PgOutbox } from './outbox.js';

/** A message about to be deleted, as the bulk deletes name it. */
export interface DoomedRow {
  seq: number;
  tenant_id: string;
  id: string;
}

/** Deletes these messages and their timelines, silently (retention): one statement per table; call inside a write. */
export async function deleteMessagesAndEvents(db: Db, rows: readonly DoomedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `DELETE FROM message_events e USING unnest($1::text[], $2::text[]) AS d(t, i) WHERE e.tenant_id = d.t AND e.message_id = d.i`,
    [rows.map((r) => r.tenant_id), rows.map((r) => r.id)],
  );
  await db.query('DELETE FROM messages WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
}

/** The tenant's messages by id with their timelines: one statement each, whatever the number of ids. */
const DELETE_BY_IDS = `WITH gone AS (DELETE FROM messages WHERE tenant_id = $1 AND id = ANY($2::text[]) AND ${guardOf('delete')} RETURNING id, account_id),
  events AS (DELETE FROM message_events e USING gone WHERE e.tenant_id = $1 AND e.message_id = gone.id)
  SELECT id, account_id FROM gone`;

/**
 * Deletes the tenant's messages named by `ids` (call inside a write) and announces each deletion, in the
 * order of `ids`; an id named twice is deleted once and then not found, as one delete after another.
 */
export async function deleteMessagesByIds(
  db: Db,
  outbox: Pick<PgOutbox, 'notify'>,
  tenantId: string,
  ids: readonly string[],
  now: number,
): Promise<{ removed: number; not_found: string[] }> {
  if (ids.length === 0) return { removed: 0, not_found: [] };
  // PostgreSQL text holds no NUL: such an id names no message
  const named = [...new Set(ids)].filter((id) => !id.includes('\u0000'));
  const { rows } = await db.query<{ id: string; account_id: string | null }>(DELETE_BY_IDS, [tenantId, named]);
  const gone = new Map(rows.map((r) => [r.id, r.account_id]));
  const notFound: string[] = [];
  const [type] = TRANSITIONS.delete.events;
  for (const id of ids) {
    const accountId = gone.get(id);
    if (accountId === undefined) {
      notFound.push(id);
      continue;
    }
    gone.delete(id);
    outbox.notify({ message_id: id, tenant_id: tenantId, account_id: accountId, ts: now, type, state: TRANSITIONS.delete.to });
  }
  return { removed: rows.length, not_found: notFound };
}
