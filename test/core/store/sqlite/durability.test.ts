import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src/core/store/index.js';
import type { NewCaptured } from '../../../../src/core/store/ports.js';
import { openConnections } from '../../../../src/core/store/sqlite/connections.js';
import { TransactionRunner } from '../../../../src/core/store/sqlite/transaction-runner.js';
import { openTempStore, tempStoreDir, type TempStore } from '../../../support/store/sqlite.js';
import { capturedMail, payload, NOW } from '../../../support/store/fixtures.js';
import { messageKey as key } from '../../../../src/core/store/records.js';

const SYNC_FULL = 2;
const SYNC_NORMAL = 1;

function capture(i: number, over: Partial<NewCaptured> = {}): { m: NewCaptured; raw: Buffer } {
  return { m: capturedMail(i, over), raw: Buffer.from(`Subject: ${i}\r\n\r\nx`) };
}

describe('SQLite durability', () => {
  const opened: TempStore[] = [];
  const open = async (dir?: string) => {
    const t = await openTempStore({}, dir);
    opened.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of opened.splice(0).reverse()) await t.remove();
  });

  it('opens the main connection in WAL mode with synchronous=FULL, a bounded journal and a large page cache', async () => {
    const { store } = await open();
    const pragmas = await store.withConnection((db) => ({
      journal: db.pragma('journal_mode', { simple: true }),
      synchronous: db.pragma('synchronous', { simple: true }),
      limit: db.pragma('journal_size_limit', { simple: true }),
      cache: db.pragma('cache_size', { simple: true }),
      // checkpoints are left to the worker until the WAL is large
      autocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }),
    }));
    expect(pragmas).toEqual({ journal: 'wal', synchronous: SYNC_FULL, limit: 64 * 1024 * 1024, cache: -32000, autocheckpoint: 10_000 });
  });

  it('commits a durable: false transaction at synchronous=NORMAL, then goes back to FULL', () => {
    const { main, unsynced } = openConnections({ path: path.join(tempStoreDir(), 'relay.db') });
    try {
      const runner = new TransactionRunner(main, {});
      const level = () => main.pragma('synchronous', { simple: true });
      expect(runner.write(level, { durable: false })).toBe(SYNC_NORMAL);
      expect(level()).toBe(SYNC_FULL);
      expect(runner.write(level)).toBe(SYNC_FULL);
      // a write inside an open transaction takes that transaction's durability
      expect(runner.write(() => runner.write(level), { durable: false })).toBe(SYNC_NORMAL);
      expect(() => runner.write(() => { throw new Error('no'); }, { durable: false })).toThrow('no');
      expect(level()).toBe(SYNC_FULL);
    } finally {
      unsynced?.close();
      main.close();
    }
  });

  it('commits unsynced captures that another connection reads at once, then syncs the WAL in the background', async () => {
    const { store, dir } = await open();
    const saved = await store.captured.insertMany([capture(1), capture(2)], { durable: false });
    expect(saved.map((s) => s.subject)).toEqual(['captured 1', 'captured 2']);
    // the commit is in the WAL: a second connection (another process would do the same) sees it
    const other = await open(dir);
    expect((await other.store.captured.get(saved[1].id))?.subject).toBe('captured 2');
    await store.captured.syncCommitted();
    await store.captured.syncCommitted();
    // captures went through their own synchronous=NORMAL connection: the main one stays FULL
    expect(await store.withConnection((db) => db.pragma('synchronous', { simple: true }))).toBe(SYNC_FULL);
  });

  it('reports a WAL it cannot open as a failed sync, not a crash', async () => {
    const { store, file } = await open();
    await store.captured.insertMany([capture(1)], { durable: false });
    fs.unlinkSync(`${file}-wal`);
    await expect(store.captured.syncCommitted()).rejects.toThrow(/ENOENT/);
  });

  it('stores captures inside a transaction on its connection, without waiting for the other one', async () => {
    const { store } = await open();
    const t0 = performance.now();
    await store.transaction(async (tx) => {
      await tx.messages.enqueue([payload('m1')], NOW);
      await tx.captured.insertMany([capture(1)], { durable: false });
    });
    // the captured-mail connection would have waited its 5 s busy timeout for the transaction's lock
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await store.captured.counts()).toEqual({ total: 1, unread: 1 });
    expect((await store.messages.get(key('m1')))?.state).toBe('queued');
  });

  it('opens a throwaway in-memory database with one connection and nothing to sync', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      await store.captured.insertMany([capture(1)], { durable: false });
      await store.captured.syncCommitted();
      expect(await store.captured.counts()).toEqual({ total: 1, unread: 1 });
      expect(await store.withConnection((db) => db.memory)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('keeps the database readable by a plain connection after close, with no WAL left behind', async () => {
    const t = await open();
    await t.store.messages.enqueue([payload('m1')], NOW);
    await t.store.close();
    expect(fs.readdirSync(t.dir)).toEqual(['relay.db']);
    const db = new Database(t.file, { readonly: true });
    try {
      expect(db.prepare('SELECT state FROM messages WHERE id = ?').get('m1')).toEqual({ state: 'queued' });
    } finally {
      db.close();
    }
    await t.remove();
  });
});
