import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/core/store/db.js';
import { openSyncStore as openStore, type SyncStore as Store } from '../../../src/core/store/index.js';
import { WalCheckpointer } from '../../../src/core/store/wal-checkpointer.js';
import { capturedFixture } from '../../support/captured/captured-fixture.js';
import { tempDir } from '../../support/common/temp-dir.js';

const raw = Buffer.alloc(4000, 'x');

function capture(store: Store, n: number): void {
  for (let i = 0; i < n; i++) store.captured.insertManyUnsynced([{ m: capturedFixture(i, { size: raw.length }), raw }]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(50);
  }
}

describe('WAL checkpoints on a worker thread', () => {
  let store: Store | null = null;
  afterEach(() => {
    store?.close();
    store = null;
  });

  it('the connections leave checkpoints to the worker, which copies the WAL into the database file soon after writes', async () => {
    const file = path.join(tempDir(), 'relay.db');
    store = openStore({ path: file });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    const before = fs.statSync(file).size;
    // ~2,500 WAL pages: SQLite would have checkpointed twice inside these commits
    capture(store, 350);
    expect(fs.statSync(file).size).toBe(before);
    await waitFor(() => fs.statSync(file).size > before + 1_000_000);
    expect(store.integrityCheck()).toBe('ok');
    // still readable and writable alongside the worker's connection
    capture(store, 10);
    expect(store.captured.counts().total).toBe(360);
    // captures went through their own synchronous=NORMAL connection: the main one stays FULL (2)
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('sustained writes that never leave the worker a finished checkpoint still keep the WAL bounded', () => {
    const file = path.join(tempDir(), 'relay.db');
    store = openStore({ path: file });
    // ~30,000 WAL pages without a pause (the event loop never turns): only the connections' own
    // checkpoint past 10,000 pages lets the WAL start over
    capture(store, 4200);
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(12_000 * 4120);
    expect(store.captured.counts().total).toBe(4200);
  });

  it('close() returns once the worker has closed its connection: the last close removes the WAL, the folder can go at once', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    store = openStore({ path: file });
    const before = fs.statSync(file).size;
    capture(store, 200);
    await waitFor(() => fs.statSync(file).size > before);
    capture(store, 20);
    store.close();
    store = null;
    expect(fs.readdirSync(dir)).toEqual(['relay.db']);
    const reopened = openStore({ path: file });
    expect(reopened.captured.counts().total).toBe(220);
    expect(reopened.integrityCheck()).toBe('ok');
    reopened.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('the worker stops once writes pause and starts again with the next ones', async () => {
    const file = path.join(tempDir(), 'plain.db');
    // a connection of its own (no store, so no other checkpointer), with a short idle time
    const db = openDatabase({ path: file });
    const checkpointer = new WalCheckpointer([db], { onError: (err) => { throw err; }, idleStopMs: 200 });
    db.exec('CREATE TABLE blobs (b BLOB)');
    const insert = db.prepare('INSERT INTO blobs (b) VALUES (?)');
    const write = () => {
      for (let i = 0; i < 100; i++) insert.run(raw);
      checkpointer.wrote();
    };
    const size = () => fs.statSync(file).size;
    try {
      let before = size();
      write();
      await waitFor(() => size() > before);
      expect(checkpointer.workerRunning).toBe(true);
      await waitFor(() => !checkpointer.workerRunning);
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

  it('close() does not wait long for a worker that dies before it could answer', async () => {
    const db = openDatabase({ path: path.join(tempDir(), 'plain.db') });
    const broken = new WalCheckpointer([db], { nativeBinding: path.join(tempDir(), 'missing.node'), onError: () => undefined });
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
    const file = path.join(tempDir(), 'relay.db');
    store = openStore({ path: file });
    const errors: Error[] = [];
    // a second checkpointer on the same connection whose worker cannot load SQLite
    const broken = new WalCheckpointer([store.db], { nativeBinding: path.join(tempDir(), 'missing.node'), onError: (err) => errors.push(err) });
    broken.wrote();
    await waitFor(() => errors.length > 0);
    expect(errors[0].message).toMatch(/WAL checkpoints run on the main thread from now on/);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    broken.close();
    capture(store, 5);
    expect(store.captured.counts().total).toBe(5);
  });
});
