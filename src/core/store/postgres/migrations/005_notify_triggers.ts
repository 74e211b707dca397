import type { PgMigration } from './migration.js';

/**
 * Captured mail and settings tell the other relays of the database what a commit changed (notify.ts's
 * notices: `c`/`cr` ids, `s`), whoever wrote them; `gmr.origin` is the writing store's (store.ts).
 * Statement triggers: one notice per 500 ids of a statement, sent on commit only.
 */
export const migration005: PgMigration = {
  version: 5,
  name: 'notify triggers: captured, settings',
  sql: `
    CREATE FUNCTION gmr_notify_ids(key TEXT, ids BIGINT[]) RETURNS VOID LANGUAGE plpgsql AS $$
    DECLARE
      origin TEXT := coalesce(current_setting('gmr.origin', true), '');
    BEGIN
      IF ids IS NULL THEN RETURN; END IF;
      IF cardinality(ids) > 20000 THEN
        PERFORM pg_notify('gmr', json_build_object('o', origin, 'x', 1)::text);
        RETURN;
      END IF;
      FOR i IN 1..cardinality(ids) BY 500 LOOP
        PERFORM pg_notify('gmr', json_build_object('o', origin, key, ids[i:i + 499])::text);
      END LOOP;
    END $$;

    CREATE FUNCTION gmr_notify_captured_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM gmr_notify_ids('c', (SELECT array_agg(id ORDER BY id) FROM new_rows));
      RETURN NULL;
    END $$;

    CREATE FUNCTION gmr_notify_captured_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM gmr_notify_ids('cr', (SELECT array_agg(id ORDER BY id) FROM old_rows));
      RETURN NULL;
    END $$;

    CREATE FUNCTION gmr_notify_settings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('gmr', json_build_object('o', coalesce(current_setting('gmr.origin', true), ''), 's', 1)::text);
      RETURN NULL;
    END $$;

    CREATE TRIGGER captured_notify_added AFTER INSERT ON captured
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gmr_notify_captured_added();
    CREATE TRIGGER captured_notify_removed AFTER DELETE ON captured
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gmr_notify_captured_removed();
    CREATE TRIGGER settings_notify AFTER INSERT OR UPDATE OR DELETE ON settings
      FOR EACH STATEMENT EXECUTE FUNCTION gmr_notify_settings();
  `,
};
