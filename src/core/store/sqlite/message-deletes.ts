import type { TransactionRunner } from './transaction-runner.js';

/** A message about to be deleted, as the bulk deletes name it. */
export interface DoomedRow {
  seq: number;
  tenant_id: string;
  id: string;
}

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    // one statement per table for a whole batch (rows as a JSON array); served by message_events(tenant_id, message_id)
    events: db.prepare<[string]>(
      `DELETE FROM message_events WHERE (tenant_id, message_id) IN
         (SELECT value ->> '$.tenant_id', value ->> '$.id' FROM json_each(?))`,
    ),
    messages: db.prepare<[string]>(`DELETE FROM messages WHERE seq IN (SELECT value ->> '$.seq' FROM json_each(?))`),
  };
}

/** Deletes these messages and their timelines, silently (retention); call inside a write. */
export function deleteMessagesAndEvents(runner: TransactionRunner, rows: readonly DoomedRow[]): void {
  if (rows.length === 0) return;
  const st = runner.once(prepare);
  const list = JSON.stringify(rows.map((r) => ({ seq: r.seq, tenant_id: r.tenant_id, id: r.id })));
  st.events.run(list);
  st.messages.run(list);
}
