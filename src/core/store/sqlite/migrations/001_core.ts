import type { Migration } from './migration.js';

/**
 * Core queue schema. States are explicit (`state`), the genro-mail-proxy timestamp columns are kept
 * for the wire format. `seq` gives FIFO order and stable cursors; `id` is the application's id.
 */
export const migration001: Migration = {
  version: 1,
  name: 'core queue',
  up: (db) => {
    db.exec(`
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        user TEXT,
        password TEXT,
        ttl INTEGER NOT NULL DEFAULT 300,
        limit_per_minute INTEGER,
        limit_per_hour INTEGER,
        limit_per_day INTEGER,
        limit_behavior TEXT NOT NULL DEFAULT 'defer',
        use_tls INTEGER,
        batch_size INTEGER,
        timeout INTEGER,
        max_connections INTEGER,
        fallbacks TEXT,
        weight INTEGER,
        created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_ts INTEGER NOT NULL DEFAULT (unixepoch())
      );

      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        account_id TEXT,
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
        recipients TEXT
      );
      -- due work, in dispatch order (priority, then FIFO)
      CREATE INDEX messages_queued ON messages(priority, seq) WHERE state = 'queued';
      -- scheduled / backed-off work, by the moment it becomes due
      CREATE INDEX messages_deferred ON messages(deferred_ts) WHERE state = 'deferred';
      -- leases to recover
      CREATE INDEX messages_sending ON messages(lease_until) WHERE state = 'sending';
      -- final outcomes waiting to be reported
      CREATE INDEX messages_unreported ON messages(updated_ts, seq) WHERE state IN ('sent','error');
      -- retention purge
      CREATE INDEX messages_reported ON messages(reported_ts) WHERE state = 'reported';
      -- paginated listing (newest first) by state and by account
      CREATE INDEX messages_state_seq ON messages(state, seq);
      CREATE INDEX messages_account_seq ON messages(account_id, seq);

      CREATE TABLE message_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        type TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX message_events_message ON message_events(message_id, seq);
      CREATE INDEX message_events_ts ON message_events(ts);

      -- one row per message accepted by an SMTP server (rate-limit windows)
      CREATE TABLE send_log (
        account_id TEXT NOT NULL,
        ts INTEGER NOT NULL
      );
      CREATE INDEX send_log_account_ts ON send_log(account_id, ts);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};
