import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSyncStore as openStore, type SyncStore as Store } from '../../../src/core/store/index.js';
import type { MessagePayload } from '../../../src/core/messages/types.js';
import { tempDir } from '../../support/common/temp-dir.js';

let store: Store;
const NOW = 1_767_261_600;

beforeEach(() => {
  store = openStore({ path: `${tempDir()}/q.db` });
});
afterEach(() => store.close());

function msg(id: string, over: Partial<MessagePayload> = {}): MessagePayload {
  return { id, from: 'a@x.test', to: ['b@x.test'], subject: id, body: '', content_type: 'plain', priority: 2, ...over };
}

describe('DispatchStore', () => {
  it('claims by priority then FIFO and leases the rows', () => {
    store.messages.enqueueBatch([msg('l1', { priority: 3 }), msg('m1'), msg('i1', { priority: 0 }), msg('m2'), msg('h1', { priority: 1 })], NOW);
    const rows = store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 4 });
    expect(rows.map((r) => r.id)).toEqual(['i1', 'h1', 'm1', 'm2']);
    const m = store.messages.get('i1')!;
    expect(m.state).toBe('sending');
    expect(m.lease_until).toBe(NOW + 60);
    expect(store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 10 }).map((r) => r.id)).toEqual(['l1']);
    expect(store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 10 })).toEqual([]);
  });

  it('takes at most each account\'s cap from the head of its own queue, so a busy account hides nobody', () => {
    const busy = Array.from({ length: 500 }, (_, i) => msg(`busy${i}`, { account_id: 'busy' }));
    store.messages.enqueueBatch([...busy, msg('other1', { account_id: 'other' }), msg('loose1'), msg('urgent', { account_id: 'busy', priority: 0 })], NOW);
    const caps: Record<string, number> = { busy: 2, other: 5, '': 1 };
    const rows = store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 50, capFor: (a) => caps[a ?? ''] });
    expect(rows.map((r) => r.id)).toEqual(['urgent', 'busy0', 'other1', 'loose1']);
    const none = store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 50, capFor: (a) => (a === 'busy' ? 0 : 5) });
    expect(none).toEqual([]);
  });

  it('promotes due deferred messages and reports the next due time', () => {
    store.messages.enqueueBatch([msg('s1', { deferred_ts: NOW + 10 }), msg('s2', { deferred_ts: NOW + 20 })], NOW);
    expect(store.dispatch.nextDueTs()).toBe(NOW + 10);
    expect(store.dispatch.promoteDue(NOW + 9)).toBe(0);
    expect(store.dispatch.promoteDue(NOW + 10)).toBe(1);
    expect(store.messages.get('s1')!.state).toBe('queued');
    expect(store.dispatch.nextDueTs()).toBe(NOW + 20);
  });

  it('records outcomes with their events, and guards against rows no longer leased', () => {
    store.messages.enqueueBatch([msg('ok'), msg('bad'), msg('wait')], NOW);
    store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
    store.dispatch.beginAttempts([{ id: 'ok', account_id: null, attempt: 1, detail: { account: 'acc' } }], NOW);
    store.dispatch.markSent(
      [{ id: 'ok', account_id: null, via_account: 'acc', sandbox: false, captured_id: null, smtp_message_id: '<x@y>', recipients: null, detail: {}, started_ts: NOW }],
      NOW + 1,
    );
    // decided at claim time: no SMTP attempt to count
    store.dispatch.markError([{ id: 'bad', account_id: null, error: 'boom (SMTP 550)', detail: { code: 550 } }], NOW + 1);
    store.dispatch.defer([{ id: 'wait', account_id: null, until: NOW + 61, reason: 'retry', retry_count: 1, detail: {} }], NOW + 1);
    expect(store.messages.get('ok')).toMatchObject({ state: 'sent', sent_ts: NOW + 1, attempts: 1, first_attempt_ts: NOW, smtp_message_id: '<x@y>' });
    expect(store.messages.get('bad')).toMatchObject({ state: 'error', error: 'boom (SMTP 550)', error_ts: NOW + 1, attempts: 0, first_attempt_ts: null });
    expect(store.messages.get('wait')).toMatchObject({ state: 'deferred', deferred_ts: NOW + 61, deferred_reason: 'retry', retry_count: 1 });
    expect(store.messages.timeline('ok', null).map((e) => e.type)).toEqual(['queued', 'attempt', 'sent']);
    expect(store.messages.timeline('ok', null)[1].detail).toMatchObject({ attempt: 1, account: 'acc' });
    expect(store.dispatch.rateWindowCounts('acc', NOW + 1)).toEqual({ minute: 1, hour: 1, day: 1 });
    // a second outcome for the same message changes nothing
    store.dispatch.markError([{ id: 'ok', account_id: null, error: 'late', detail: {} }], NOW + 2);
    expect(store.messages.get('ok')!.state).toBe('sent');
  });

  it('releases expired leases except those still being sent here', () => {
    store.messages.enqueueBatch([msg('a'), msg('b')], NOW);
    store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 30, limit: 10 });
    expect(store.dispatch.nextLeaseExpiry(NOW, () => [])).toBe(NOW + 30);
    // before expiry the exclusion list is not even looked at; after it, this process's own sends are ignored
    expect(store.dispatch.nextLeaseExpiry(NOW, () => { throw new Error('not needed'); })).toBe(NOW + 30);
    expect(store.dispatch.nextLeaseExpiry(NOW + 30, () => ['a', 'b'])).toBeNull();
    expect(store.dispatch.nextLeaseExpiry(NOW + 30, () => ['a'])).toBe(NOW + 30);
    expect(store.dispatch.releaseExpiredLeases(NOW + 29, NOW + 29)).toBe(0);
    expect(store.dispatch.releaseExpiredLeases(NOW + 30, NOW + 30, ['a'])).toBe(1);
    expect(store.messages.get('a')!.state).toBe('sending');
    expect(store.messages.get('b')!.state).toBe('queued');
    expect(store.messages.timeline('b', null).map((e) => e.type)).toEqual(['queued', 'lease_expired']);
  });

  it('retry: error or deferred back to queued with a fresh budget; 404/409 cases', () => {
    store.messages.enqueueBatch([msg('e'), msg('q')], NOW);
    store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 30, limit: 1 });
    store.dispatch.markError([{ id: 'e', account_id: null, error: 'x', detail: {} }], NOW);
    const r = store.dispatch.retry('e', NOW + 5);
    expect(r).toMatchObject({ status: 'ok', message: { id: 'e', state: 'queued', error: null, retry_count: 0 } });
    expect(store.dispatch.retry('q', NOW)).toEqual({ status: 'conflict', state: 'queued' });
    expect(store.dispatch.retry('nope', NOW)).toEqual({ status: 'not_found' });
  });

  it('prunes the send log past the longest window', () => {
    store.messages.enqueueBatch([msg('a'), msg('b')], NOW);
    store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 30, limit: 2 });
    const sent = (id: string) => ({ id, account_id: null, via_account: 'acc', sandbox: false, captured_id: null, smtp_message_id: null, recipients: null, detail: {} });
    store.dispatch.markSent([sent('a')], NOW - 90_000);
    store.dispatch.markSent([sent('b')], NOW);
    expect(store.dispatch.sendLogSince('acc', 0)).toEqual([NOW - 90_000, NOW]);
    expect(store.dispatch.pruneSendLog(NOW - 86_400)).toBe(1);
    expect(store.dispatch.sendLogSince('acc', 0)).toEqual([NOW]);
  });

  it('claims from a large queue through the partial indexes (no full scans)', () => {
    const batch: MessagePayload[] = [];
    for (let i = 0; i < 50_000; i++) batch.push(msg(`bulk${i}`, { account_id: `acc${i % 5}`, priority: (i % 4) as 0 | 1 | 2 | 3 }));
    store.messages.enqueueBatch(batch, NOW);
    const planOf = (sql: string, ...args: unknown[]) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((p) => p.detail).join(' | ');
    expect(
      planOf(`SELECT seq, priority FROM messages INDEXED BY messages_queued_account
              WHERE state = 'queued' AND account_id = ? ORDER BY priority, seq LIMIT ?`, 'acc1', 5),
    ).toMatch(/USING (COVERING )?INDEX messages_queued_account \(account_id=\?\)/);
    const sqlOf = (name: string) => String((store.dispatch as unknown as Record<string, { source: string }>)[name].source);
    for (const [stmt, index] of [
      ['nextDueStmt', 'messages_deferred'],
      ['promoteStmt', 'messages_deferred'],
      ['nextLeaseStmt', 'messages_sending'],
      ['releaseExpiredStmt', 'messages_sending'],
    ]) {
      const sql = sqlOf(stmt);
      const params = (sql.match(/\?/g) ?? []).map((_, i) => (sql.includes('json_each') && i === (sql.match(/\?/g)!.length - 1) ? '[]' : NOW));
      expect(planOf(sql, ...params), stmt).toMatch(new RegExp(`INDEX ${index}`));
    }
    expect(planOf(`SELECT seq FROM messages INDEXED BY messages_queued WHERE state = 'queued' ORDER BY priority, seq LIMIT 5`)).not.toMatch(
      /TEMP B-TREE/,
    );
    let claimed = 0;
    const seen = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const rows = store.dispatch.claimDue({ now: NOW, leaseUntil: NOW + 60, limit: 100, capFor: () => 20 });
      claimed += rows.length;
      for (const r of rows) seen.add(r.priority);
    }
    expect(claimed).toBe(2000);
    // priority first across accounts: the first claims are all immediate
    expect([...seen]).toEqual([0]);
  });
});
