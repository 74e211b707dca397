import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../../../../src/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../../../src/core/store/sqlite/migrations/index.js';
import { tempDir } from '../../../support/common/temp-dir.js';

const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('migration 013: attachment file names of captured mail', () => {
  it('indexes mail with attachments again (the indexer records their names) and leaves the rest indexed', async () => {
    const file = path.join(tempDir('gmr-premigrate-'), 'relay.db');
    const db = new Database(file);
    runMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 7),
    );
    const row = db.prepare(`INSERT INTO captured (received_ts, size, subject, attachments, indexed) VALUES (1, 10, ?, ?, 1)`);
    const fts = db.prepare('INSERT INTO captured_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)');
    const withFiles = Number(row.run('with files', 2).lastInsertRowid);
    const plain = Number(row.run('plain', 0).lastInsertRowid);
    fts.run(withFiles, 'with files', '', '', 'report attached');
    fts.run(plain, 'plain', '', '', 'nothing attached');
    db.close();

    const store = await openStore({ path: file });
    open.push(store);
    expect(await store.captured.unindexed(Number.MAX_SAFE_INTEGER, 10)).toEqual([withFiles]);
    // its old index row is gone, so indexing it again cannot leave a duplicate behind
    expect((await store.captured.list({ limit: 10, search: { terms: [{ field: 'any', text: 'attached' }] } })).items.map((c) => c.id)).toEqual([plain]);
    await store.captured.completeIndex([{ id: withFiles, search_text: 'report attached', attachments: 2, preview: '', filenames: ['q3.pdf'] }]);
    expect((await store.captured.list({ limit: 10, search: { terms: [], contains: [{ column: 'filename', text: 'q3' }] } })).items.map((c) => c.id)).toEqual([withFiles]);
    expect(await store.captured.countMatching({ terms: [{ field: 'any', text: 'attached' }] })).toBe(2);
  });
});
