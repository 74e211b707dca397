import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SqliteStore } from '../../../../src/core/store/index.js';
import { openConnections } from '../../../../src/core/store/sqlite/connections.js';
import { CHECKPOINTS } from '../../../../src/core/store/sqlite/durability.js';
import { WalCheckpointer } from '../../../../src/core/store/sqlite/wal-checkpointer.js';
import { capturedMail } from '../../../support/store/fixtures.js';
import { openTempStore, tempStoreDir, type TempStore } from '../../../support/store/sqlite.js';

const raw = Buffer.alloc(4000, 'x');

/** n unindexed captures, one commit each, without waiting for the disk; no timer runs in between */
async function capture(store: SqliteStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.captured.insertMany([{ m: capturedMail(i, { size: raw.length, search_text: undefined }), raw }], { durable: false });
}

const waitFor = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 5000, interval: 50 });

/** A plain connection of its own to a fresh file (no store, so no other checkpointer). */
function plainConnection(file: string) {
  const { main, unsynced } = openConnections({ path: file });
  unsynced?.close();
  return main;
}

describe('WAL checkpoints on a worker thread', () => {
  let t: TempStore | null = null;
  afterEach(async () => {
    await t?.remove();
    t = null;
  });

  it('the connections leave checkpoints to the worker, which copies the WAL into the database file soon after writes', async () => {
    t = await openTempStore();
    const { store, file } = t;
    expect(await store.withConnection((db) => db.pragma('wal_autocheckpoint', { simple: true }))).toBe(10_000);
    const before = fs.statSync(file).size;
    // ~2,500 WAL pages: SQLite would have checkpointed twice inside these commits
    await capture(store, 350);
    expect(fs.statSync(file).size).toBe(before);
    await waitFor(() => fs.statSync(file).size > before + 1_000_000);
    expect(await store.integrityCheck()).toBe('ok');
    // still readable and writable alongside the worker's connection
    await capture(store, 10);
    expect((await store.captured.counts()).total).toBe(360);
    // captures went through their own synchronous=NORMAL connection: the main one stays FULL (2)
    expect(await store.withConnection((db) => db.pragma('synchronous', { simple: true }))).toBe(2);
  });

  it('sustained writes that never leave the worker a finished checkpoint still keep the WAL bounded', async () => {
    t = await openTempStore();
    // ~30,000 WAL pages without a pause (no timer or worker message is handled in between): only the
    // connections' own checkpoint past 10,000 pages lets the WAL start over
    await capture(t.store, 4200);
    expect(fs.statSync(`${t.file}-wal`).size).toBeLessThan(12_000 * 4120);
    expect((await t.store.captured.counts()).total).toBe(4200);
  });

  it('close() returns once the worker has closed its connection: the last close removes the WAL, the folder can go at once', async () => {
    const dir = tempStoreDir();
    const first = await openTempStore({}, dir);
    const before = fs.statSync(first.file).size;
    await capture(first.store, 200);
    await waitFor(() => fs.statSync(first.file).size > before);
    await capture(first.store, 20);
    await first.store.close();
    expect(fs.readdirSync(dir)).toEqual(['relay.db']);
    t = await openTempStore({}, dir);
    expect((await t.store.captured.counts()).total).toBe(220);
    expect(await t.store.integrityCheck()).toBe('ok');
  });

  it('the worker stops once writes pause (and says the store is idle) and starts again with the next ones', async () => {
    const file = path.join(tempStoreDir(), 'plain.db');
    const db = plainConnection(file);
    let idle = 0;
    const checkpointer = new WalCheckpointer([db], {
      onError: (err) => {
        throw err;
      },
      idleStopMs: 200,
      onIdle: () => idle++,
    });
    db.exec('CREATE TABLE blobs (b BLOB)');
    const insert = db.prepare('INSERT INTO blobs (b) VALUES (?)');
    const write = () => {
      // ~800 KB: past CHECKPOINTS.smallWalBytes
      for (let i = 0; i < 200; i++) insert.run(raw);
      checkpointer.wrote();
    };
    const size = () => fs.statSync(file).size;
    try {
      let before = size();
      write();
      await waitFor(() => size() > before);
      expect(checkpointer.workerRunning).toBe(true);
      expect(idle).toBe(0);
      await waitFor(() => !checkpointer.workerRunning);
      expect(idle).toBe(1);
      before = size();
      write();
      await waitFor(() => size() > before);
      expect(checkpointer.workerRunning).toBe(true);
      checkpointer.close();
      expect(checkpointer.workerRunning).toBe(false);
    } finally {
      db.close();
    }
  });

  it('a WAL that stayed small (empty after a restart sweep, a first start schema, heartbeats) starts no worker thread', () => {
    const file = path.join(tempStoreDir(), 'plain.db');
    const first = plainConnection(file);
    first.exec('CREATE TABLE blobs (b BLOB)');
    first.close();
    // the last close checkpointed and removed the WAL: a restart begins with an empty one
    const db = plainConnection(file);
    let idle = 0;
    const checkpointer = new WalCheckpointer([db], {
      onError: (err) => {
        throw err;
      },
      onIdle: () => idle++,
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      db.exec('BEGIN IMMEDIATE; DELETE FROM blobs WHERE 0; COMMIT');
      checkpointer.wrote();
      vi.advanceTimersByTime(CHECKPOINTS.intervalMs);
      expect(checkpointer.workerRunning).toBe(false);
      const insert = db.prepare('INSERT INTO blobs (b) VALUES (?)');
      // ~250 KB of WAL: left for later
      for (let i = 0; i < 30; i++) insert.run(raw);
      expect(fs.statSync(`${file}-wal`).size).toBeLessThan(CHECKPOINTS.smallWalBytes);
      checkpointer.wrote();
      vi.advanceTimersByTime(CHECKPOINTS.intervalMs);
      expect(checkpointer.workerRunning).toBe(false);
      // still, once writes pause the store is idle (its caches go back), thread or not
      vi.advanceTimersByTime(CHECKPOINTS.idleStopMs - 1);
      expect(idle).toBe(0);
      vi.advanceTimersByTime(1);
      expect(idle).toBe(1);
      // past 512 KB: checkpointed on the worker
      for (let i = 0; i < 100; i++) insert.run(raw);
      checkpointer.wrote();
      vi.advanceTimersByTime(CHECKPOINTS.intervalMs);
      expect(checkpointer.workerRunning).toBe(true);
    } finally {
      vi.useRealTimers();
      checkpointer.close();
      db.close();
    }
  });

  it('close() does not wait long for a worker that dies before it could answer', async () => {
    const db = plainConnection(path.join(tempStoreDir(), 'plain.db'));
    const broken = new WalCheckpointer([db], { nativeBinding: path.join(tempStoreDir(), 'missing.node'), onError: () => undefined });
    try {
      broken.wrote();
      // just after the worker started, before its failure reached this thread
      const ms = await new Promise<number>((resolve) =>
        setTimeout(() => {
          const t0 = performance.now();
          broken.close();
          resolve(performance.now() - t0);
        }, 101),
      );
      expect(ms).toBeLessThan(2000);
    } finally {
      db.close();
    }
  });

  it('falls back to SQLite checkpoints on the main thread, with an error, when the worker cannot run', async () => {
    t = await openTempStore();
    const { store } = t;
    const errors: Error[] = [];
    // a WAL worth a checkpoint, and a second checkpointer on the same connection whose worker cannot load SQLite
    await capture(store, 150);
    const broken = await store.withConnection(
      (db) => new WalCheckpointer([db], { nativeBinding: path.join(tempStoreDir(), 'missing.node'), onError: (err) => errors.push(err) }),
    );
    broken.wrote();
    await waitFor(() => errors.length > 0);
    expect(errors[0].message).toMatch(/WAL checkpoints run on the main thread from now on/);
    expect(await store.withConnection((db) => db.pragma('wal_autocheckpoint', { simple: true }))).toBe(1000);
    broken.close();
    await capture(store, 5);
    expect((await store.captured.counts()).total).toBe(155);
  });
});
