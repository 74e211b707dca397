import path from 'node:path';
import type { Database as DB } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageEvent } from '../../../../src/core/messages/types.js';
import { openConnections } from '../../../../src/core/store/sqlite/connections.js';
import { TransactionRunner } from '../../../../src/core/store/sqlite/transaction-runner.js';
import { account, deferOutcome, NOW, payload } from '../../../support/store/fixtures.js';
import { openTempStore, tempStoreDir, type TempStore } from '../../../support/store/sqlite.js';
import { messageKey as key } from '../../../../src/core/store/records.js';

/** n turns of the event loop: SQLite answers synchronously, so an ungated call is done after one */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('SQLite transactions and the gate, through the store', () => {
  let t: TempStore | null = null;
  const announced: MessageEvent[][] = [];
  const accounts: string[][] = [];

  async function open() {
    t = await openTempStore({ onMessageEvents: (evs) => announced.push(evs), onAccountsChanged: (ids) => accounts.push(ids) });
    return t.store;
  }

  afterEach(async () => {
    await t?.remove();
    t = null;
    announced.length = 0;
    accounts.length = 0;
  });

  it('commits every call of a transaction together and announces its rows after the commit', async () => {
    const s = await open();
    await s.messages.enqueue([payload('m1'), payload('m2')], NOW);
    announced.length = 0;
    const claimed = await s.transaction(
      async (tx) => {
        const rows = await tx.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
        await tx.dispatch.defer([deferOutcome(rows.find((r) => r.id === 'm2')!.seq, NOW + 30)], NOW);
        expect(announced).toEqual([]);
        return rows;
      },
      { durable: false },
    );
    expect(claimed.map((r) => r.id)).toEqual(['m1', 'm2']);
    expect((await s.messages.get(key('m1')))?.state).toBe('sending');
    expect((await s.messages.get(key('m2')))?.state).toBe('deferred');
    expect(announced.flat().map((e) => `${e.message_id}:${e.type}`)).toEqual(['m2:deferred']);
  });

  it('rolls back everything and announces nothing when the function throws', async () => {
    const s = await open();
    await s.messages.enqueue([payload('m1')], NOW);
    announced.length = 0;
    await expect(
      s.transaction(async (tx) => {
        const rows = await tx.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
        await tx.dispatch.defer([deferOutcome(rows.find((r) => r.id === 'm1')!.seq, NOW + 30)], NOW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await s.messages.get(key('m1')))?.state).toBe('queued');
    expect(announced).toEqual([]);
  });

  it('keeps calls from outside out of an open transaction: they run after it, in order', async () => {
    const s = await open();
    await s.messages.enqueue([payload('m1')], NOW);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = s.transaction(async (t) => {
      await t.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
      order.push('claimed');
      await gate;
      order.push('tx end');
    });
    // a write, a read and the escape hatch issued while the transaction is open
    const write = s.messages.enqueue([payload('m2')], NOW).then(() => order.push('enqueued'));
    const read = s.messages.get(key('m1')).then((m) => order.push(`read ${m?.state}`));
    const raw = s.withConnection((db) => db.inTransaction).then((inTx) => order.push(`raw in transaction: ${inTx}`));
    await turns();
    expect(order).toEqual(['claimed']);
    release();
    await Promise.all([tx, write, read, raw]);
    expect(order).toEqual(['claimed', 'tx end', 'enqueued', 'read sending', 'raw in transaction: false']);
  });

  it('a failed transaction lets the waiting calls run, and a later transaction works', async () => {
    const s = await open();
    const failing = s.transaction(async () => {
      await turns(1);
      throw new Error('no');
    });
    const waiting = s.messages.enqueue([payload('w')], NOW);
    await expect(failing).rejects.toThrow('no');
    await expect(waiting).resolves.toMatchObject({ queued: 1 });
    await s.transaction(async (tx) => {
      await tx.messages.enqueue([payload('x')], NOW);
    });
    expect((await s.messages.get(key('x')))?.state).toBe('queued');
  });

  it('announces account changes after their commit', async () => {
    const s = await open();
    await s.accounts.upsert(account('acc'), NOW);
    await s.accounts.delete('', 'acc');
    expect(accounts).toEqual([['acc'], ['acc']]);
  });

  it('refuses a call through the ports of a transaction that has ended', async () => {
    const s = await open();
    let kept: Parameters<Parameters<typeof s.transaction>[0]>[0] | null = null;
    await s.transaction(async (tx) => {
      kept = tx;
    });
    await expect(kept!.messages.enqueue([payload('late')], NOW)).rejects.toThrow(/after its transaction ended/);
    expect(await s.messages.get(key('late'))).toBeNull();
  });
});

describe('TransactionRunner on a connection', () => {
  let db: DB | null = null;
  let other: DB | null = null;
  afterEach(() => {
    other?.close();
    db?.close();
    db = other = null;
  });

  function runner(events: MessageEvent[][] = [], commits: number[] = []) {
    ({ main: db, unsynced: other } = openConnections({ path: path.join(tempStoreDir(), 'relay.db') }));
    return new TransactionRunner(db, { onMessageEvents: (evs) => events.push(evs) }, () => commits.push(1));
  }
  const event = (id: string): MessageEvent => ({ message_id: id, tenant_id: '', account_id: null, ts: NOW, type: 'queued', state: 'queued' });
  const count = () => (db!.prepare('SELECT COUNT(*) AS n FROM message_events').get() as { n: number }).n;

  it('nests writes into the open one: one commit, one announcement, in order', () => {
    const events: MessageEvent[][] = [];
    const commits: number[] = [];
    const r = runner(events, commits);
    r.write(() => {
      r.outbox.record(event('a'));
      r.write(() => r.outbox.record(event('b')));
      expect(events).toEqual([]);
    });
    expect(commits).toHaveLength(1);
    expect(events.map((batch) => batch.map((e) => e.message_id))).toEqual([['a', 'b']]);
    expect(events[0].every((e) => typeof e.seq === 'number')).toBe(true);
  });

  it('rolls back a write that throws, its nested writes included, and announces nothing', () => {
    const events: MessageEvent[][] = [];
    const r = runner(events);
    expect(() =>
      r.write(() => {
        r.write(() => r.outbox.record(event('a')));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(count()).toBe(0);
    expect(events).toEqual([]);
    expect(r.inTransaction).toBe(false);
    r.write(() => r.outbox.record(event('c')));
    expect(events.map((batch) => batch.map((e) => e.message_id))).toEqual([['c']]);
  });

  it('rolls back a transaction whose commit fails, and the next one works', async () => {
    const events: MessageEvent[][] = [];
    const r = runner(events);
    db!.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    await expect(
      r.transaction(async () => {
        r.outbox.record(event('a'));
        // a deferred foreign key fails at COMMIT, not at the insert
        db!.prepare('INSERT INTO child (p) VALUES (42)').run();
      }),
    ).rejects.toThrow(/FOREIGN KEY/);
    expect(db!.inTransaction).toBe(false);
    expect(count()).toBe(0);
    expect(events).toEqual([]);
    await r.transaction(async () => r.outbox.record(event('b')));
    expect(events.map((batch) => batch.map((e) => e.message_id))).toEqual([['b']]);
  });
});
