import type { Migration } from './migration.js';

/**
 * Tenants (genro-mail-proxy v0.6.10): their table, and accounts keyed by (tenant_id, id). Changing a
 * PRIMARY KEY needs a table rebuild; every existing account lands in the default tenant ('').
 */
export const migration005: Migration = {
  version: 5,
  name: 'tenants and their accounts',
  up: (db) => {
    db.exec(`
      CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT,
        -- JSON, encoded at rest by the store's secret codec (it holds the application's password)
        client_auth TEXT,
        client_base_url TEXT,
        client_sync_path TEXT,
        client_attachment_path TEXT,
        rate_limits TEXT,
        large_file_config TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        -- JSON array of batch codes held back from dispatch ('["*"]': all); NULL: none
        suspended_batches TEXT,
        api_key_hash TEXT,
        api_key_expires_at INTEGER,
        created_ts INTEGER NOT NULL,
        updated_ts INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX tenants_api_key ON tenants(api_key_hash) WHERE api_key_hash IS NOT NULL;

      CREATE TABLE accounts_new (
        tenant_id TEXT NOT NULL DEFAULT '',
        id TEXT NOT NULL,
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
        updated_ts INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (tenant_id, id)
      );
      INSERT INTO accounts_new (tenant_id, id, host, port, user, password, ttl, limit_per_minute, limit_per_hour,
          limit_per_day, limit_behavior, use_tls, batch_size, timeout, max_connections, fallbacks, weight, created_at, updated_ts)
        SELECT '', id, host, port, user, password, ttl, limit_per_minute, limit_per_hour,
          limit_per_day, limit_behavior, use_tls, batch_size, timeout, max_connections, fallbacks, weight, created_at, updated_ts
        FROM accounts;
      DROP TABLE accounts;
      ALTER TABLE accounts_new RENAME TO accounts;
    `);
  },
};
