import type { Migration } from './migration.js';

/**
 * A trigram index of the queue's searchable text, kept OFF the accepting transaction: inserts pay nothing,
 * a background indexer (store/sqlite/queue-indexer.ts) adds rows up to `indexed_seq`; searches scan the rows
 * beyond it and recheck every hit with the LIKE of the scan (store/sqlite/queue-search.ts). Contentless,
 * detail=none: rowids only. A change of searched text on an indexed row marks it dirty (searched by scan
 * until the indexer re-indexes it); a delete removes the row's index entry in its own transaction.
 */
export const migration010: Migration = {
  version: 10,
  name: 'messages: trigram search index, kept by a background indexer',
  up: (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE messages_search USING fts5(
        haystack,
        content = '', contentless_delete = 1,
        tokenize = 'trigram', detail = none
      );
      CREATE TABLE messages_search_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_seq INTEGER NOT NULL
      );
      INSERT INTO messages_search_state (id, indexed_seq) VALUES (1, 0);
      CREATE TABLE messages_search_dirty (seq INTEGER PRIMARY KEY);
      CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
      WHEN old.seq <= (SELECT indexed_seq FROM messages_search_state) BEGIN
        DELETE FROM messages_search WHERE rowid = old.seq;
        DELETE FROM messages_search_dirty WHERE seq = old.seq;
      END;
      CREATE TRIGGER messages_search_update AFTER UPDATE OF id, subject, from_addr, to_addrs, error ON messages
      WHEN (new.id IS NOT old.id OR new.subject IS NOT old.subject OR new.from_addr IS NOT old.from_addr
        OR new.to_addrs IS NOT old.to_addrs OR new.error IS NOT old.error)
        AND new.seq <= (SELECT indexed_seq FROM messages_search_state) BEGIN
        INSERT OR IGNORE INTO messages_search_dirty (seq) VALUES (new.seq);
      END;
    `);
  },
};
