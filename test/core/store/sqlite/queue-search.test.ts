import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../../../../src/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../../../src/core/store/sqlite/migrations/index.js';
import { queueSearch, trigramQuery } from '../../../../src/core/store/sqlite/queue-search.js';
import { tempDir } from '../../../support/common/temp-dir.js';
import { NOW, payload } from '../../../support/store/fixtures.js';
import { openTempStore, planOf } from '../../../support/store/sqlite.js';

const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('trigramQuery', () => {
  it('asks for every trigram of the text, quoted, and for nothing below three characters', () => {
    expect(trigramQuery('ab')).toBeNull();
    expect(trigramQuery('äö')).toBeNull();
    expect(trigramQuery('abc')).toBe('"abc"');
    expect(trigramQuery('a"bcd')).toBe('"a""b" AND """bc" AND "bcd"');
    expect(trigramQuery('aaaa')).toBe('"aaa"');
    expect(trigramQuery('😀ab')).toBe('"😀ab"');
  });

  it('asks for at most 12 trigrams of a long text, spread over it (the LIKE checks the whole text)', () => {
    const q = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const terms = trigramQuery(q)!.split(' AND ');
    expect(terms).toHaveLength(12);
    expect(terms[0]).toBe('"abc"');
    expect(terms[11]).toBe('"789"');
  });
});

describe('queue search plan (SQLite)', () => {
  const planFor = async (q: string, extra = '') => {
    const t = await openTempStore();
    open.push(t.store);
    const params: Record<string, unknown> = { limit: 51, cursor: 1e9, state: 'queued' };
    const s = queueSearch(q, params);
    const sql = `SELECT seq, id FROM ${s.from} WHERE ${s.where}${extra} AND ${s.orderBy} < @cursor ORDER BY ${s.orderBy} DESC LIMIT @limit`;
    return t.store.withConnection((db) => planOf(db, sql, params));
  };

  it('walks the trigram index newest first from three characters, without sorting, and scans below', async () => {
    const plan = await planFor('user42@', ' AND state = @state');
    expect(plan).toMatch(/^SCAN messages_search VIRTUAL TABLE/);
    expect(plan).toContain('SEARCH messages USING INTEGER PRIMARY KEY');
    expect(plan).not.toContain('TEMP B-TREE');
    expect(await planFor('u4')).not.toContain('messages_search');
  });
});

describe('migration 010', () => {
  it('indexes the messages a database already holds, error text included', async () => {
    const file = path.join(tempDir('gmr-premigrate-'), 'relay.db');
    const db = new Database(file);
    runMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 7),
    );
    db.prepare(`INSERT INTO messages (id, priority, state, payload, subject, from_addr, to_addrs, created_ts, updated_ts, error_ts, error)
      VALUES (?, 2, 'error', ?, 'Old subject', 'a@example.com', 'b@example.com', ?, ?, ?, 'relay access denied')`).run(
      'old-1',
      JSON.stringify(payload('old-1')),
      NOW,
      NOW,
      NOW,
    );
    db.close();
    const store = await openStore({ path: file });
    open.push(store);
    const ids = async (q: string) => (await store.messages.list({ limit: 10, q })).items.map((m) => m.id);
    expect(await ids('access den')).toEqual(['old-1']);
    expect(await ids('old subj')).toEqual(['old-1']);
    await store.messages.enqueue([payload('new-1', { subject: 'Old subject too' })], NOW);
    expect(await ids('old subj')).toEqual(['new-1', 'old-1']);
  });
});
