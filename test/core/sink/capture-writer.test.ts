import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaptureWriter } from '../../../src/core/sink/capture-writer.js';
import type { CapturedSummary, NewCaptured } from '../../../src/core/store/ports.js';

function fakeStore(fail: (items: { m: NewCaptured }[]) => boolean, syncFails = false) {
  const calls: string[][] = [];
  /** each sync waits until the test releases it */
  const syncs: { release: () => void; committedBefore: number }[] = [];
  let nextId = 1;
  let committed = 0;
  const store = {
    async insertMany(items: { m: NewCaptured; raw: Buffer }[], opts?: { durable?: boolean }): Promise<CapturedSummary[]> {
      calls.push(items.map((i) => i.m.subject));
      // the sink never waits for the disk: durability comes from the background sync
      if (opts?.durable !== false) throw new Error('captured mail must be written with durable: false');
      if (fail(items)) throw new Error('disk full');
      committed += items.length;
      return items.map((i) => ({ id: nextId++, subject: i.m.subject }) as CapturedSummary);
    },
    syncCommitted(): Promise<void> {
      return new Promise((resolve, reject) =>
        syncs.push({ release: () => (syncFails ? reject(new Error('EIO: fsync failed')) : resolve()), committedBefore: committed }),
      );
    },
  };
  const releaseSyncs = async () => {
    for (let i = 0; i < 20; i++) {
      while (syncs.length) syncs.shift()!.release();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { store, calls, syncs, releaseSyncs };
}

const captured = (subject: string) => ({ subject }) as NewCaptured;

/** the sync interval runs on fake timers; commits (setImmediate) and the fake store stay real */
const fakeTime = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });

describe('group commit of captured mail', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the captures of one event-loop turn in one transaction and answers after its commit', async () => {
    const { store, calls, syncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    let settled = 0;
    const writes = ['a', 'b', 'c'].map((s) => writer.write(captured(s), Buffer.from(s)).then((r) => (settled++, r)));
    await Promise.resolve();
    expect(settled).toBe(0);
    const saved = await Promise.all(writes);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(saved.map((s) => [s.id, s.subject])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    // the WAL sync follows in the background, covering everything committed before it
    expect(syncs.map((s) => s.committedBefore)).toEqual([3]);
  });

  it('runs one background sync at a time, at most every 100 ms; commits made meanwhile share the next one', async () => {
    fakeTime();
    const { store, calls, syncs, releaseSyncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    await writer.write(captured('a'), Buffer.from('a'));
    await writer.write(captured('b'), Buffer.from('b'));
    await writer.write(captured('c'), Buffer.from('c'));
    expect(calls).toEqual([['a'], ['b'], ['c']]);
    expect(syncs.map((s) => s.committedBefore)).toEqual([1]);
    await releaseSyncs();
    // b and c wait for the interval, then one sync covers both
    await vi.advanceTimersByTimeAsync(99);
    expect(syncs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs.map((s) => s.committedBefore)).toEqual([3]);
    await releaseSyncs();
    // nothing new was committed: no sync, and no timer left armed for one
    await vi.advanceTimersByTimeAsync(1000);
    expect(syncs).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() syncs at once, without waiting for the interval', async () => {
    const { store, syncs, releaseSyncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    await writer.write(captured('a'), Buffer.from('a'));
    await releaseSyncs();
    await writer.write(captured('b'), Buffer.from('b'));
    expect(syncs).toHaveLength(0);
    const closing = writer.close();
    expect(syncs.map((s) => s.committedBefore)).toEqual([2]);
    await releaseSyncs();
    await closing;
  });

  it('keeps a failure with its own message: the others of the group are stored one by one', async () => {
    const { store, calls } = fakeStore((items) => items.some((i) => i.m.subject === 'bad'));
    const writer = new CaptureWriter(store);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => writer.write(captured(s), Buffer.from(s))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('reports a failed sync and syncs again after the next commit', async () => {
    fakeTime();
    const { store, syncs, releaseSyncs } = fakeStore(() => false, true);
    const errors: unknown[] = [];
    const writer = new CaptureWriter(store, (err) => errors.push(err));
    await writer.write(captured('x'), Buffer.from('x'));
    await releaseSyncs();
    expect(String(errors[0])).toMatch(/fsync failed/);
    await writer.write(captured('y'), Buffer.from('y'));
    await vi.advanceTimersByTimeAsync(100);
    expect(syncs).toHaveLength(1);
  });

  it('close() commits what is waiting and returns once it is synced', async () => {
    const { store, calls, releaseSyncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    const w = writer.write(captured('x'), Buffer.from('x'));
    let closed = false;
    const closing = writer.close().then(() => (closed = true));
    expect(calls).toEqual([['x']]);
    // the commit is done and the sync is waiting for its release: close() has not returned
    await w;
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    await releaseSyncs();
    await closing;
    expect((await w).id).toBe(1);
  });
});
