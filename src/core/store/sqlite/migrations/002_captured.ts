import type { Migration } from './migration.js';

/**
 * Captured mail: summary columns for lists, the raw source once in its own table, a contentless FTS5
 * index (rowid = id). AUTOINCREMENT keeps ids (cursors, messages.captured_id) unambiguous; `indexed = 0`
 * marks the backlog the sink's indexer parses later (captured_unindexed finds it without a scan).
 */
export const migration002: Migration = {
  version: 2,
  name: 'captured mail (sink)',
  up: (db) => {
    db.exec(`
      CREATE TABLE captured (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_ts INTEGER NOT NULL,
        mail_from TEXT NOT NULL DEFAULT '',
        rcpt_to TEXT NOT NULL DEFAULT '[]',
        from_addr TEXT NOT NULL DEFAULT '',
        to_addrs TEXT NOT NULL DEFAULT '',
        cc_addrs TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        date_ts INTEGER,
        size INTEGER NOT NULL,
        attachments INTEGER NOT NULL DEFAULT 0,
        mailbox TEXT,
        is_read INTEGER NOT NULL DEFAULT 0,
        message_id TEXT,
        relay_message_id TEXT,
        preview TEXT NOT NULL DEFAULT '',
        remote_address TEXT,
        helo TEXT,
        tls INTEGER NOT NULL DEFAULT 0,
        indexed INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX captured_received ON captured(received_ts);
      CREATE INDEX captured_mailbox ON captured(mailbox, id) WHERE mailbox IS NOT NULL;
      CREATE INDEX captured_unread ON captured(id) WHERE is_read = 0;
      CREATE INDEX captured_unindexed ON captured(id) WHERE indexed = 0;

      CREATE TABLE captured_raw (
        id INTEGER PRIMARY KEY,
        source BLOB NOT NULL
      );

      CREATE VIRTUAL TABLE captured_fts USING fts5(
        subject, sender, recipients, body,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
      );
    `);
  },
};
