import type { PgMigration } from './migration.js';

/**
 * The whole schema of SQLite's migrations 1-6, as PostgreSQL first meets it. Flags are 0/1 smallints
 * so that both backends map rows with the same functions (store/sql/); epoch seconds are bigints.
 */
export const migration001: PgMigration = {
  version: 1,
  name: 'queue, captured mail, tenants',
  sql: `
    CREATE TABLE tenants (
      id TEXT PRIMARY KEY,
      name TEXT,
      client_auth TEXT,
      client_base_url TEXT,
      client_sync_path TEXT,
      client_attachment_path TEXT,
      rate_limits TEXT,
      large_file_config TEXT,
      active SMALLINT NOT NULL DEFAULT 1,
      suspended_batches TEXT,
      api_key_hash TEXT,
      api_key_expires_at BIGINT,
      created_ts BIGINT NOT NULL,
      updated_ts BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX tenants_api_key ON tenants(api_key_hash) WHERE api_key_hash IS NOT NULL;

    CREATE TABLE accounts (
      tenant_id TEXT NOT NULL DEFAULT '',
      id TEXT NOT NULL,
      host TEXT NOT NULL,
      port INTEGER NOT NULL,
      "user" TEXT,
      password TEXT,
      ttl INTEGER NOT NULL DEFAULT 300,
      limit_per_minute INTEGER,
      limit_per_hour INTEGER,
      limit_per_day INTEGER,
      limit_behavior TEXT NOT NULL DEFAULT 'defer',
      use_tls SMALLINT,
      batch_size INTEGER,
      timeout INTEGER,
      max_connections INTEGER,
      fallbacks TEXT,
      weight INTEGER,
      created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
      updated_ts BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, id)
    );

    CREATE TABLE messages (
      seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
      created_ts BIGINT NOT NULL,
      updated_ts BIGINT NOT NULL,
      deferred_ts BIGINT,
      deferred_reason TEXT,
      sent_ts BIGINT,
      error_ts BIGINT,
      error TEXT,
      reported_ts BIGINT,
      retry_count INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      first_attempt_ts BIGINT,
      lease_until BIGINT,
      sandbox SMALLINT NOT NULL DEFAULT 0,
      smtp_message_id TEXT,
      captured_id BIGINT,
      source_captured_id BIGINT,
      recipients TEXT,
      UNIQUE (tenant_id, id)
    );
    -- due work, in dispatch order (priority, then FIFO)
    CREATE INDEX messages_queued ON messages(priority, seq) WHERE state = 'queued';
    -- the head of each account's queue, per tenant (claims with per-account caps)
    CREATE INDEX messages_queued_account ON messages(tenant_id, account_id, priority, seq) WHERE state = 'queued';
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

    CREATE TABLE message_events (
      seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tenant_id TEXT NOT NULL DEFAULT '',
      message_id TEXT NOT NULL,
      ts BIGINT NOT NULL,
      type TEXT NOT NULL,
      state TEXT NOT NULL,
      detail TEXT
    );
    CREATE INDEX message_events_message ON message_events(tenant_id, message_id, seq);
    CREATE INDEX message_events_ts ON message_events(ts);

    -- one row per message accepted by an SMTP server (rate-limit windows)
    CREATE TABLE send_log (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tenant_id TEXT NOT NULL DEFAULT '',
      account_id TEXT NOT NULL,
      ts BIGINT NOT NULL
    );
    CREATE INDEX send_log_account_ts ON send_log(tenant_id, account_id, ts);
    CREATE INDEX send_log_ts ON send_log(ts);

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE captured (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      received_ts BIGINT NOT NULL,
      mail_from TEXT NOT NULL DEFAULT '',
      rcpt_to TEXT NOT NULL DEFAULT '[]',
      from_addr TEXT NOT NULL DEFAULT '',
      to_addrs TEXT NOT NULL DEFAULT '',
      cc_addrs TEXT NOT NULL DEFAULT '',
      subject TEXT NOT NULL,
      date_ts BIGINT,
      size BIGINT NOT NULL,
      attachments INTEGER NOT NULL DEFAULT 0,
      mailbox TEXT,
      is_read SMALLINT NOT NULL DEFAULT 0,
      message_id TEXT,
      relay_message_id TEXT,
      relay_tenant_id TEXT,
      preview TEXT NOT NULL DEFAULT '',
      remote_address TEXT,
      helo TEXT,
      tls SMALLINT NOT NULL DEFAULT 0,
      indexed SMALLINT NOT NULL DEFAULT 0,
      -- subject (A), sender (B), recipients (C), body (D): see search-text.ts
      search tsvector
    );
    CREATE INDEX captured_received ON captured(received_ts);
    CREATE INDEX captured_mailbox ON captured(mailbox, id) WHERE mailbox IS NOT NULL;
    CREATE INDEX captured_unread ON captured(id) WHERE is_read = 0;
    CREATE INDEX captured_unindexed ON captured(id) WHERE indexed = 0;
    CREATE INDEX captured_search ON captured USING gin (search);

    CREATE TABLE captured_raw (
      id BIGINT PRIMARY KEY,
      source BYTEA NOT NULL
    );

    -- one row, written by a synchronous commit to flush the commits made without waiting (syncCommitted)
    CREATE TABLE store_sync (one SMALLINT PRIMARY KEY CHECK (one = 1), n BIGINT NOT NULL);
    INSERT INTO store_sync VALUES (1, 0);
  `,
};
