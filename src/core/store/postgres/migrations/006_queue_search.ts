import type { PgMigration } from './migration.js';

/**
 * SQLite's migration 010: a pg_trgm GIN index over the queue's searchable text (the expression
 * store/postgres/queue-search.ts filters on). Where the server refuses the extension the index is left
 * out and the search scans, as before: the warning goes to the server's log, once, here.
 */
export const migration006: PgMigration = {
  version: 6,
  name: 'messages: trigram search index',
  sql: `
    DO $$
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'genro-mail-relay: pg_trgm unavailable (%), queue search scans the messages', SQLERRM;
    END $$;
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE $i$CREATE INDEX messages_search ON messages USING gin (
          (id || E'\\n' || subject || E'\\n' || from_addr || E'\\n' || to_addrs || E'\\n' || coalesce(error, '')) gin_trgm_ops)$i$;
      END IF;
    END $$;
  `,
};
