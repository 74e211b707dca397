import { describe, expect, it } from 'vitest';
import { MessageIntake } from '../../../src/core/services/intake.js';

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
