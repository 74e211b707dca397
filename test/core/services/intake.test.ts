import { describe, expect, it } from 'vitest';
import { MessageIntake } from '../../../src/core/services/intake.js';
import { accountWithDefaults, messageKey } from '../../../src/core/store/records.js';
import { contextPerTest } from '../../support/relay/context.js';

describe('message intake', () => {
  it('checks and queues in one transaction, one account lookup per distinct id, only the acceptable payloads', async () => {
    const calls: string[] = [];
    const tx = {
      accounts: { get: async (_tenant: string, id: string) => (calls.push(`get ${id}`), id === 'acc' ? { id } : null) },
      messages: {
        enqueue: async (batch: { id: string }[], _now: number, opts: object) => (calls.push(`enqueue ${batch.map((b) => b.id).join(',')} ${JSON.stringify(opts)}`), { queued: batch.length, rejected: [] }),
      },
    };
    const store = {
      transaction: async <T>(fn: (t: never) => Promise<T>) => {
        calls.push('begin');
        const r = await fn(tx as never);
        calls.push('commit');
        return r;
      },
    };
    const wakes: string[] = [];
    const intake = new MessageIntake({ store, bus: { emit: (e: string) => wakes.push(e) } as never, clock: { nowMs: () => 0 } });
    const p = (id: string, account_id?: string) => ({ id, account_id, from: 'a@x', to: ['b@x'], subject: 's', body: 'b', content_type: 'plain', priority: 2 as const });
    const { issues, result } = await intake.admit([p('1', 'acc'), p('2', 'ghost'), p('3', 'acc')], { accountRequired: true, source_captured_id: 9 });
    expect(issues).toEqual([null, { path: ['account_id'], rule: 'account_not_found' }, null]);
    expect(result.queued).toBe(2);
    expect(calls).toEqual(['begin', 'get acc', 'get ghost', 'enqueue 1,3 {"source_captured_id":9}', 'commit']);
    expect(wakes).toEqual(['dispatch.wake']);
  });
});

describe('message intake: tenants', () => {
  const context = contextPerTest();

  it("checks each message's account in its own tenant, and queues the same id once per tenant", async () => {
    const ctx = await context();
    await ctx.store.accounts.upsert(accountWithDefaults({ tenant_id: 'a', id: 'acc', host: '127.0.0.1', port: 2525 }), 1);
    const intake = new MessageIntake({ store: ctx.store, bus: ctx.bus, clock: ctx.clock });
    const p = (tenant_id: string, account_id: string) => ({ id: 'm', tenant_id, account_id, from: 'a@x', to: ['b@x'], subject: tenant_id, body: '', content_type: 'plain' as const, priority: 2 as const });
    const { issues, result } = await intake.admit([p('a', 'acc'), p('b', 'acc'), p('', 'acc')], { accountRequired: true });
    expect(issues).toEqual([null, { path: ['account_id'], rule: 'account_not_found' }, { path: ['account_id'], rule: 'account_not_found' }]);
    expect(result).toEqual({ queued: 1, rejected: [] });
    expect(await ctx.store.messages.get(messageKey('m', 'a'))).toMatchObject({ tenant_id: 'a', subject: 'a', state: 'queued' });
    expect(await ctx.store.messages.get(messageKey('m', 'b'))).toBeNull();

    await ctx.store.accounts.upsert(accountWithDefaults({ tenant_id: 'b', id: 'acc', host: '127.0.0.1', port: 2525 }), 1);
    expect((await intake.admit([p('b', 'acc')], { accountRequired: true })).result).toEqual({ queued: 1, rejected: [] });
    expect((await ctx.store.messages.get(messageKey('m', 'a')))?.subject).toBe('a');
    expect((await ctx.store.messages.get(messageKey('m', 'b')))?.subject).toBe('b');
  });
});
