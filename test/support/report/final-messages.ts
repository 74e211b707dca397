import type { MessagePayload, MessageState } from '../../../src/core/messages/types.js';
import type { Relay } from '../../../src/core/relay.js';
import type { SyncStore } from '../../../src/core/store/index.js';
import { withSideDb } from '../sqlite/side-db.js';
import type { TestContext } from '../relay/context.js';

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

type Outcome = { state: 'sent' | 'error'; ts: number; error?: string; sandbox?: boolean; account?: string };

function finalise(db: SyncStore['db'], ids: string[], outcome: Outcome): void {
  const stmt = db.prepare(
    `UPDATE messages SET state = @state, sent_ts = @sent_ts, error_ts = @error_ts, error = @error,
       sandbox = @sandbox, updated_ts = @ts, attempts = 1 WHERE id = @id`,
  );
  for (const id of ids) {
    stmt.run({
      id,
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
 * reads the final columns). The synchronous form serves callers still on the legacy store.
 */
export function addFinal(store: SyncStore, ids: string[], outcome: Outcome): void;
export function addFinal(holder: StoreHolder, ids: string[], outcome: Outcome): Promise<void>;
export function addFinal(target: SyncStore | StoreHolder, ids: string[], outcome: Outcome): void | Promise<void> {
  const payloads = ids.map((id) => payload(id, outcome.account));
  if (!('store' in target)) {
    target.messages.enqueueBatch(payloads, outcome.ts - 5);
    finalise(target.db, ids, outcome);
    return;
  }
  return target.store.messages.enqueue(payloads, outcome.ts - 5).then(() => withSideDb(dbPathOf(target), (db) => finalise(db, ids, outcome)));
}

export async function stateOf(h: Pick<StoreHolder, 'store'>, id: string): Promise<MessageState | null> {
  return (await h.store.messages.get(id))?.state ?? null;
}

export async function reportedTs(h: Pick<StoreHolder, 'store'>, id: string): Promise<number | null> {
  return (await h.store.messages.get(id))?.reported_ts ?? null;
}
