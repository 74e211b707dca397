import type { MessagePayload, MessageState } from '../../../src/core/messages/types.js';
import type { Relay } from '../../../src/core/relay.js';
import { withSideDb, type DB } from '../sqlite/side-db.js';
import type { TestContext } from '../relay/context.js';
import { messageKey as key } from '../../../src/core/store/records.js';

export function payload(id: string, account = 'acc'): MessagePayload {
  return {
    id,
    account_id: account,
    from: 'app@example.com',
    to: ['user@example.com'],
    subject: `subject ${id}`,
    body: 'hello',
    content_type: 'plain',
    priority: 2,
  };
}

/** A store under test: a test context, or a running relay. */
export type StoreHolder = Pick<TestContext, 'store' | 'config'> | Pick<Relay, 'store' | 'ctx'>;

function dbPathOf(h: StoreHolder): string {
  return 'ctx' in h ? h.ctx.config.dbPath : h.config.dbPath;
}

type Outcome = { state: 'sent' | 'error'; ts: number; error?: string; sandbox?: boolean; account?: string; tenant?: string };

function finalise(db: DB, ids: string[], outcome: Outcome): void {
  const stmt = db.prepare(
    `UPDATE messages SET state = @state, sent_ts = @sent_ts, error_ts = @error_ts, error = @error,
       sandbox = @sandbox, updated_ts = @ts, attempts = 1 WHERE id = @id AND tenant_id = @tenant`,
  );
  for (const id of ids) {
    stmt.run({
      id,
      tenant: outcome.tenant ?? '',
      state: outcome.state,
      sent_ts: outcome.state === 'sent' ? outcome.ts : null,
      error_ts: outcome.state === 'error' ? outcome.ts : null,
      error: outcome.state === 'error' ? (outcome.error ?? '550 mailbox unavailable (SMTP 550)') : null,
      sandbox: outcome.sandbox ? 1 : 0,
      ts: outcome.ts,
    });
  }
}

/**
 * Queues messages and moves them to a final state as the dispatcher would (the report loop only
 * reads the final columns).
 */
export async function addFinal(target: StoreHolder, ids: string[], outcome: Outcome): Promise<void> {
  const tenant = outcome.tenant ? { tenant_id: outcome.tenant } : {};
  await target.store.messages.enqueue(ids.map((id) => ({ ...payload(id, outcome.account), ...tenant })), outcome.ts - 5);
  withSideDb(dbPathOf(target), (db) => finalise(db, ids, outcome));
}

export async function stateOf(h: Pick<StoreHolder, 'store'>, id: string, tenantId?: string): Promise<MessageState | null> {
  return (await h.store.messages.get(key(id, tenantId)))?.state ?? null;
}

export async function reportedTs(h: Pick<StoreHolder, 'store'>, id: string): Promise<number | null> {
  return (await h.store.messages.get(key(id)))?.reported_ts ?? null;
}

/** Whether the application acknowledged the message's outcome (the outcome itself stays in `state`). */
export async function isReported(h: Pick<StoreHolder, 'store'>, id: string, tenantId?: string): Promise<boolean> {
  return ((await h.store.messages.get(key(id, tenantId)))?.reported_ts ?? null) !== null;
}
