import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type AsyncSqliteStore } from '../../../src/core/store/index.js';
import type { MessageEvent, MessagePayload } from '../../../src/core/messages/types.js';

const NOW = 1_767_261_600;

function payload(id: string): MessagePayload {
  return { id, from: 'a@example.com', to: ['b@example.com'], subject: `s ${id}`, body: 'b', content_type: 'plain', priority: 2 };
}

describe('async store over SQLite: transactions and the gate', () => {
  let store: AsyncSqliteStore | null = null;
  const announced: MessageEvent[][] = [];
  const accounts: string[][] = [];

  async function open(): Promise<AsyncSqliteStore> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gmr-async-'));
    store = await openStore({
      path: path.join(dir, 'db.sqlite'),
      onMessageEvents: (evs) => announced.push(evs),
      onAccountsChanged: (ids) => accounts.push(ids),
    });
    return store;
  }

  afterEach(async () => {
    await store?.close();
    store = null;
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
        await tx.dispatch.defer([{ id: 'm2', account_id: null, until: NOW + 30, reason: 'retry', detail: {} }], NOW);
        expect(announced).toEqual([]);
        return rows;
      },
      { durable: false },
    );
    expect(claimed.map((r) => r.id)).toEqual(['m1', 'm2']);
    expect((await s.messages.get('m1'))?.state).toBe('sending');
    expect((await s.messages.get('m2'))?.state).toBe('deferred');
    expect(announced.flat().map((e) => `${e.message_id}:${e.type}`)).toEqual(['m2:deferred']);
  });

  it('rolls back everything and announces nothing when the function throws', async () => {
    const s = await open();
    await s.messages.enqueue([payload('m1')], NOW);
    announced.length = 0;
    await expect(
      s.transaction(async (tx) => {
        await tx.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
        await tx.dispatch.defer([{ id: 'm1', account_id: null, until: NOW + 30, reason: 'retry', detail: {} }], NOW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await s.messages.get('m1'))?.state).toBe('queued');
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
    // a write and a read issued while the transaction is open
    const write = s.messages.enqueue([payload('m2')], NOW).then(() => order.push('enqueued'));
    const read = s.messages.get('m1').then((m) => order.push(`read ${m?.state}`));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['claimed']);
    release();
    await Promise.all([tx, write, read]);
    expect(order).toEqual(['claimed', 'tx end', 'enqueued', 'read sending']);
  });

  it('a failed transaction lets the waiting calls run, and a later transaction works', async () => {
    const s = await open();
    const failing = s.transaction(async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('no');
    });
    const waiting = s.messages.enqueue([payload('w')], NOW);
    await expect(failing).rejects.toThrow('no');
    await expect(waiting).resolves.toMatchObject({ queued: 1 });
    await s.transaction(async (tx) => {
      await tx.messages.enqueue([payload('x')], NOW);
    });
    expect((await s.messages.get('x'))?.state).toBe('queued');
  });

  it('announces account changes after their commit', async () => {
    const s = await open();
    await s.accounts.upsert(
      {
        id: 'acc',
        host: 'smtp.example.com',
        port: 587,
        user: null,
        password: null,
        ttl: 300,
        limit_per_minute: null,
        limit_per_hour: null,
        limit_per_day: null,
        limit_behavior: 'defer',
        use_tls: null,
        batch_size: null,
        timeout: null,
        max_connections: null,
        fallbacks: null,
        weight: null,
      },
      NOW,
    );
    await s.accounts.delete('acc');
    expect(accounts).toEqual([['acc'], ['acc']]);
  });
});
