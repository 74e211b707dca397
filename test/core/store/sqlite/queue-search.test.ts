import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  const plansFor = async (q: string, extra = '') => {
    const t = await openTempStore();
    open.push(t.store);
    const params: Record<string, unknown> = { limit: 51, cursor: 1e9, state: 'queued' };
    const parts = queueSearch(q, params);
    return t.store.withConnection((db) =>
      parts.map((s) =>
        planOf(db, `SELECT seq, id FROM ${s.from} WHERE ${s.where}${extra} AND ${s.orderBy} < @cursor ORDER BY ${s.orderBy} DESC LIMIT @limit`, params),
      ),
    );
  };

  it('walks the trigram index newest first from three characters, reads the unindexed and dirty rows by seq, never sorts', async () => {
    const [indexed, beyond, dirty] = await plansFor('user42@', ' AND state = @state');
    expect(indexed).toMatch(/^SCAN messages_search VIRTUAL TABLE/);
    expect(indexed).toContain('SEARCH messages USING INTEGER PRIMARY KEY');
    expect(beyond).toMatch(/SEARCH messages USING .*(rowid|seq)>\? AND (rowid|seq)<\?/);
    expect(dirty).toMatch(/SEARCH messages USING .*(rowid|seq)=\?.*messages_search_dirty FOR IN-OPERATOR/);
    for (const plan of [indexed, beyond, dirty]) expect(plan).not.toContain('TEMP B-TREE');
    const short = await plansFor('u4');
    expect(short).toHaveLength(1);
    expect(short[0]).not.toContain('messages_search');
  });
});

describe('queue search indexer', () => {
  const ids = async (store: SqliteStore, q: string) => (await store.messages.list({ limit: 50, q })).items.map((m) => m.id);
  const indexRows = (store: SqliteStore) =>
    store.withConnection((db) => (db.prepare('SELECT rowid AS seq FROM messages_search ORDER BY rowid').all() as { seq: number }[]).map((r) => r.seq));

  it('adds nothing to the accepting transaction: rows wait beyond the marker until the indexer runs', async () => {
    const t = await openTempStore({ queueIndexing: false });
    open.push(t.store);
    await t.store.messages.enqueue([payload('a', { subject: 'alpha one' }), payload('b', { subject: 'beta two' })], NOW);
    expect(await indexRows(t.store)).toEqual([]);
    expect(await t.store.queueIndex.lag()).toEqual({ behind: 2, dirty: 0 });
    expect(await ids(t.store, 'alpha on')).toEqual(['a']);
    expect(await t.store.queueIndex.catchUp()).toBe(2);
    expect(await t.store.queueIndex.lag()).toEqual({ behind: 0, dirty: 0 });
    expect(await indexRows(t.store)).toHaveLength(2);
    expect(await ids(t.store, 'alpha on')).toEqual(['a']);
  });

  it('marks an indexed row dirty when its searched text changes, and re-indexes it', async () => {
    const t = await openTempStore({ queueIndexing: false });
    open.push(t.store);
    await t.store.messages.enqueue([payload('r', { subject: 'first draft' })], NOW);
    await t.store.queueIndex.catchUp();
    await t.store.messages.enqueue([payload('r', { subject: 'final version' })], NOW + 1);
    expect(await t.store.queueIndex.lag()).toEqual({ behind: 0, dirty: 1 });
    expect(await ids(t.store, 'final ver')).toEqual(['r']);
    expect(await ids(t.store, 'first dr')).toEqual([]);
    await t.store.queueIndex.catchUp();
    expect(await t.store.queueIndex.lag()).toEqual({ behind: 0, dirty: 0 });
    // the index itself now holds the new text, not the old one
    const hits = (q: string) =>
      t.store.withConnection((db) => db.prepare('SELECT count(*) AS n FROM messages_search WHERE messages_search MATCH ?').get(trigramQuery(q)) as { n: number });
    expect(await hits('final ver')).toEqual({ n: 1 });
    expect(await hits('first dr')).toEqual({ n: 0 });
  });

  it('removes a deleted message from the index in its own transaction', async () => {
    const t = await openTempStore({ queueIndexing: false });
    open.push(t.store);
    await t.store.messages.enqueue([payload('gone', { subject: 'remove me' }), payload('kept')], NOW);
    await t.store.queueIndex.catchUp();
    await t.store.messages.deleteMany('', ['gone'], NOW + 1);
    expect(await indexRows(t.store)).toHaveLength(1);
  });

  it('runs on its own after writes, in slices, until it caught up', async () => {
    const t = await openTempStore();
    open.push(t.store);
    await t.store.messages.enqueue(Array.from({ length: 3000 }, (_, i) => payload(`m${i}`, { subject: `Batch mail ${i}` })), NOW);
    await vi.waitFor(async () => expect(await t.store.queueIndex.lag()).toEqual({ behind: 0, dirty: 0 }), { timeout: 10_000, interval: 50 });
    expect(await indexRows(t.store)).toHaveLength(3000);
    expect(await ids(t.store, 'mail 2999')).toEqual(['m2999']);
  });
});

describe('migration 010', () => {
  it('leaves the messages a database already holds to the indexer, searchable at once, error text included', async () => {
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
    const store = await openStore({ path: file, queueIndexing: false });
    open.push(store);
    const ids = async (q: string) => (await store.messages.list({ limit: 10, q })).items.map((m) => m.id);
    expect(await ids('access den')).toEqual(['old-1']);
    expect(await store.queueIndex.catchUp()).toBe(1);
    expect(await ids('access den')).toEqual(['old-1']);
    expect(await ids('old subj')).toEqual(['old-1']);
    await store.messages.enqueue([payload('new-1', { subject: 'Old subject too' })], NOW);
    expect(await ids('old subj')).toEqual(['new-1', 'old-1']);
  });
});
