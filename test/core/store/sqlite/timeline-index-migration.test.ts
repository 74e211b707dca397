import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, type SqliteStore } from '../../../../src/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../../../src/core/store/sqlite/migrations/index.js';
import { tempDir } from '../../../support/common/temp-dir.js';
import { planOf } from '../../../support/store/sqlite.js';

const open: SqliteStore[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of open.splice(0)) await s.close();
});

const indexesOf = (db: Database.Database, table: string) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name`).all(table) as { name: string }[]).map((r) => r.name);

describe('migration 015: message_events loses its unused ts index', () => {
  it('drops message_events_ts from a database made before it, keeping the timeline rows and their index', async () => {
    const file = path.join(tempDir('gmr-premigrate-'), 'relay.db');
    const db = new Database(file);
    runMigrations(
      db,
      MIGRATIONS.filter((m) => m.version < 15),
    );
    db.prepare(`INSERT INTO message_events (tenant_id, message_id, ts, type, state) VALUES ('', 'm1', 1, 'queued', 'queued')`).run();
    expect(indexesOf(db, 'message_events')).toContain('message_events_ts');
    db.close();

    const store = await openStore({ path: file });
    open.push(store);
    await store.withConnection((conn) => {
      expect(indexesOf(conn, 'message_events')).toEqual(['message_events_message']);
      expect(conn.prepare('SELECT COUNT(*) AS n FROM message_events').get()).toEqual({ n: 1 });
    });
  });

  it('leaves no statement of the store scanning message_events', async () => {
    const texts: string[] = [];
    const prepare = Database.prototype.prepare;
    vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, sql: string) {
      texts.push(sql);
      return prepare.call(this, sql);
    });
    const store = await openStore({ path: path.join(tempDir('gmr-timeline-'), 'relay.db') });
    open.push(store);
    vi.restoreAllMocks();
    const reading = texts.filter((sql) => /\bFROM message_events\b/.test(sql));
    // the timeline, its deletes (per message, per tenant, per account) and retention's seq ranges
    expect(reading.length).toBeGreaterThanOrEqual(5);
    await store.withConnection((db) => {
      for (const sql of reading) {
        const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => '[]');
        const plan = planOf(db, sql, ...params);
        expect(plan, sql).not.toMatch(/SCAN message_events|SCAN e\b/);
      }
    });
  });
});
