import type { Db } from './connection.js';

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
