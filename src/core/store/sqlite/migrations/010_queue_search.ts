import type { Migration } from './migration.js';

/** The text `GET /api/messages?q=` searches: the columns of the substring scan, plus the error text. */
const haystack = (row: 'new' | 'old' | 'messages') =>
  `${row}.id || char(10) || coalesce(${row}.subject, '') || char(10) || coalesce(${row}.from_addr, '') || char(10) || ` +
  `coalesce(${row}.to_addrs, '') || char(10) || coalesce(${row}.error, '')`;

/**
 * A trigram index of the queue's searchable text, kept by triggers in the row's own transaction. It only
 * narrows: queries recheck the rows it finds with the LIKE of the scan (store/sqlite/queue-search.ts).
 * Contentless with detail=none: rowids only, no copy of the text. An update fires it only when the text changed.
 */
export const migration010: Migration = {
  version: 10,
  name: 'messages: trigram search index',
  up: (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE messages_search USING fts5(
        haystack,
        content = '', contentless_delete = 1,
        tokenize = 'trigram', detail = none
      );
      CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_search (rowid, haystack) VALUES (new.seq, ${haystack('new')});
      END;
      CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_search WHERE rowid = old.seq;
      END;
      CREATE TRIGGER messages_search_update AFTER UPDATE OF id, subject, from_addr, to_addrs, error ON messages
      WHEN new.id IS NOT old.id OR new.subject IS NOT old.subject OR new.from_addr IS NOT old.from_addr
        OR new.to_addrs IS NOT old.to_addrs OR new.error IS NOT old.error BEGIN
        DELETE FROM messages_search WHERE rowid = old.seq;
        INSERT INTO messages_search (rowid, haystack) VALUES (new.seq, ${haystack('new')});
      END;
      INSERT INTO messages_search (rowid, haystack) SELECT seq, ${haystack('messages')} FROM messages;
    `);
  },
};
