import type { Migration } from './migration.js';

/**
 * Messages unique per (tenant_id, id), with the application's batch_code; timeline rows, the send log
 * and the captured-mail link name the tenant too. The rebuild keeps every seq (queue order, cursors)
 * and the AUTOINCREMENT high-water mark; existing rows land in the default tenant ('').
 */
export const migration006: Migration = {
  version: 6,
  name: 'messages per tenant',
  up: (db) => {
    const highWater = (db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'messages'`).get() as { seq: number } | undefined)?.seq ?? 0;
    db.exec(`
      CREATE TABLE messages_new (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL DEFAULT '',
        id TEXT NOT NULL,
        account_id TEXT,
        batch_code TEXT,
        priority INTEGER NOT NULL DEFAULT 2,
        state TEXT NOT NULL CHECK (state IN ('queued','deferred','sending','sent','error','reported')),
        payload TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        from_addr TEXT NOT NULL DEFAULT '',
        to_addrs TEXT NOT NULL DEFAULT '',
        created_ts INTEGER NOT NULL,
        updated_ts INTEGER NOT NULL,
        deferred_ts INTEGER,
        deferred_reason TEXT,
        sent_ts INTEGER,
        error_ts INTEGER,
        error TEXT,
        reported_ts INTEGER,
        retry_count INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        first_attempt_ts INTEGER,
        lease_until INTEGER,
        sandbox INTEGER NOT NULL DEFAULT 0,
        smtp_message_id TEXT,
        captured_id INTEGER,
        source_captured_id INTEGER,
        recipients TEXT,
        UNIQUE (tenant_id, id)
      );
      INSERT INTO messages_new (seq, tenant_id, id, account_id, priority, state, payload, subject, from_addr, to_addrs,
          created_ts, updated_ts, deferred_ts, deferred_reason, sent_ts, error_ts, error, reported_ts, retry_count, attempts,
          first_attempt_ts, lease_until, sandbox, smtp_message_id, captured_id, source_captured_id, recipients)
        SELECT seq, '', id, account_id, priority, state, payload, subject, from_addr, to_addrs,
          created_ts, updated_ts, deferred_ts, deferred_reason, sent_ts, error_ts, error, reported_ts, retry_count, attempts,
          first_attempt_ts, lease_until, sandbox, smtp_message_id, captured_id, source_captured_id, recipients
        FROM messages;
      DROP TABLE messages;
      ALTER TABLE messages_new RENAME TO messages;

      -- due work, in dispatch order (priority, then FIFO)
      CREATE INDEX messages_queued ON messages(priority, seq) WHERE state = 'queued';
      -- the head of each account's queue, per tenant (claims with per-account caps)
      CREATE INDEX messages_queued_account ON messages(tenant_id, account_id, priority, seq, batch_code) WHERE state = 'queued';
      -- due work without an account (claimed under their own cap)
      CREATE INDEX messages_queued_unassigned ON messages(priority, seq) WHERE state = 'queued' AND account_id IS NULL;
      -- scheduled / backed-off work, by the moment it becomes due
      CREATE INDEX messages_deferred ON messages(deferred_ts) WHERE state = 'deferred';
      -- leases to recover
      CREATE INDEX messages_sending ON messages(lease_until) WHERE state = 'sending';
      -- final outcomes waiting to be reported, per tenant
      CREATE INDEX messages_unreported ON messages(tenant_id, updated_ts, seq) WHERE state IN ('sent','error');
      -- retention purge
      CREATE INDEX messages_reported ON messages(reported_ts) WHERE state = 'reported';
      -- paginated listing (newest first) by state, by account, by tenant
      CREATE INDEX messages_state_seq ON messages(state, seq);
      CREATE INDEX messages_account_seq ON messages(account_id, seq);
      CREATE INDEX messages_tenant_seq ON messages(tenant_id, seq);

      ALTER TABLE message_events ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
      DROP INDEX message_events_message;
      CREATE INDEX message_events_message ON message_events(tenant_id, message_id, seq);

      ALTER TABLE send_log ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
      DROP INDEX send_log_account_ts;
      CREATE INDEX send_log_account_ts ON send_log(tenant_id, account_id, ts);

      ALTER TABLE captured ADD COLUMN relay_tenant_id TEXT;
    `);
    db.prepare(`UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'messages'`).run(highWater);
    db.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages')`).run(highWater);
  },
};
