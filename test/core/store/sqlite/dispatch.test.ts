import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageEvent, MessagePayload } from '../../../../src/core/messages/types.js';
import { prepareClaimStatements } from '../../../../src/core/store/sqlite/dispatch-claims.js';
import { prepareOutcomeStatements } from '../../../../src/core/store/sqlite/dispatch-outcomes.js';
import type { SqliteStore } from '../../../../src/core/store/index.js';
import { openTempStore, planOf, type TempStore } from '../../../support/store/sqlite.js';
import { messageKey as key } from '../../../../src/core/store/records.js';

let t: TempStore;
let store: SqliteStore;
const NOW = 1_767_261_600;

beforeEach(async () => {
  t = await openTempStore();
  store = t.store;
});
afterEach(() => t.remove());

function msg(id: string, over: Partial<MessagePayload> = {}): MessagePayload {
  return { id, from: 'a@x.test', to: ['b@x.test'], subject: id, body: '', content_type: 'plain', priority: 2, ...over };
}

const seqOf = async (id: string) => (await store.messages.get(key(id)))!.seq;

const sent = async (id: string, over: Record<string, unknown> = {}) => ({
  seq: await seqOf(id),
  tenant_id: '',
  account_id: null,
  via_account: 'acc',
  sandbox: false,
  captured_id: null,
  smtp_message_id: null,
  recipients: null,
  detail: {},
  ...over,
});

describe('SQLite dispatch', () => {
  it('claims by priority then FIFO and leases the rows', async () => {
    await store.messages.enqueue([msg('l1', { priority: 3 }), msg('m1'), msg('i1', { priority: 0 }), msg('m2'), msg('h1', { priority: 1 })], NOW);
    const rows = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 4 });
    expect(rows.map((r) => r.id)).toEqual(['i1', 'h1', 'm1', 'm2']);
    const m = (await store.messages.get(key('i1')))!;
    expect(m.state).toBe('sending');
    expect(m.lease_until).toBe(NOW + 60);
    expect((await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 })).map((r) => r.id)).toEqual(['l1']);
    expect(await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 })).toEqual([]);
  });

  it("takes at most each account's cap from the head of its own queue, so a busy account hides nobody", async () => {
    const busy = Array.from({ length: 500 }, (_, i) => msg(`busy${i}`, { account_id: 'busy' }));
    await store.messages.enqueue([...busy, msg('other1', { account_id: 'other' }), msg('loose1'), msg('urgent', { account_id: 'busy', priority: 0 })], NOW);
    const caps = { perAccount: new Map([['busy', 2], ['other', 5]]), noAccount: 1, otherAccounts: 0 };
    const rows = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 50, caps });
    expect(rows.map((r) => r.id)).toEqual(['urgent', 'busy0', 'other1', 'loose1']);
    const none = await store.dispatch.claim({
      now: NOW,
      leaseUntil: NOW + 60,
      limit: 50,
      caps: { perAccount: new Map([['busy', 0]]), noAccount: 5, otherAccounts: 5 },
    });
    expect(none).toEqual([]);
  });

  it('with caps, visits every account of every tenant with queued work, in (tenant, account) order', async () => {
    const row = (id: string, tenant_id: string, account_id: string | null) => ({ ...msg(id, { account_id: account_id ?? undefined }), tenant_id });
    await store.messages.enqueue([row('t1-b', 't1', 'b'), row('t1-a', 't1', 'a'), row('t1-a2', 't1', 'a'), row('t2-a', 't2', 'a'), row('t2-none', 't2', null), row('t3-c', 't3', 'c')], NOW);
    const caps = { perAccount: new Map(), noAccount: 0, otherAccounts: 1 };
    const rows = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 50, caps });
    expect(rows.map((r) => r.id).sort()).toEqual(['t1-a', 't1-b', 't2-a', 't3-c']);
  });

  it('promotes due deferred messages and reports the next due time', async () => {
    await store.messages.enqueue([msg('s1', { deferred_ts: NOW + 10 }), msg('s2', { deferred_ts: NOW + 20 })], NOW);
    expect(await store.dispatch.nextDueTs()).toBe(NOW + 10);
    expect(await store.dispatch.promoteDue(NOW + 9)).toBe(0);
    expect(await store.dispatch.promoteDue(NOW + 10)).toBe(1);
    expect((await store.messages.get(key('s1')))!.state).toBe('queued');
    expect(await store.dispatch.nextDueTs()).toBe(NOW + 20);
  });

  it('records outcomes with their events, and guards against rows no longer leased', async () => {
    await store.messages.enqueue([msg('ok'), msg('bad'), msg('wait')], NOW);
    await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
    await store.dispatch.beginAttempts([{ seq: await seqOf('ok'), account_id: null, attempt: 1, detail: { account: 'acc' } }], NOW);
    await store.dispatch.markSent([await sent('ok', { smtp_message_id: '<x@y>', started_ts: NOW })], NOW + 1);
    // decided at claim time: no SMTP attempt to count
    await store.dispatch.markError([{ seq: await seqOf('bad'), account_id: null, error: 'boom (SMTP 550)', detail: { code: 550 } }], NOW + 1);
    await store.dispatch.defer([{ seq: await seqOf('wait'), account_id: null, until: NOW + 61, reason: 'retry', retry_count: 1, detail: {} }], NOW + 1);
    expect(await store.messages.get(key('ok'))).toMatchObject({ state: 'sent', sent_ts: NOW + 1, attempts: 1, first_attempt_ts: NOW, smtp_message_id: '<x@y>' });
    expect(await store.messages.get(key('bad'))).toMatchObject({ state: 'error', error: 'boom (SMTP 550)', error_ts: NOW + 1, attempts: 0, first_attempt_ts: null });
    expect(await store.messages.get(key('wait'))).toMatchObject({ state: 'deferred', deferred_ts: NOW + 61, deferred_reason: 'retry', retry_count: 1 });
    const timeline = await store.messages.timeline(key('ok'), null);
    expect(timeline.map((e) => e.type)).toEqual(['queued', 'attempt', 'sent']);
    expect(timeline[1].detail).toMatchObject({ attempt: 1, account: 'acc' });
    expect(await store.dispatch.rateWindowCounts('', 'acc', NOW + 1)).toEqual({ minute: 1, hour: 1, day: 1 });
    // a second outcome for the same message changes nothing
    await store.dispatch.markError([{ seq: await seqOf('ok'), account_id: null, error: 'late', detail: {} }], NOW + 2);
    expect((await store.messages.get(key('ok')))!.state).toBe('sent');
  });

  it('writes the attempts and sent outcomes of a batch set-based, announcing each timeline row with its own seq', async () => {
    const announced: MessageEvent[] = [];
    const a = await openTempStore({ onMessageEvents: (evs) => announced.push(...evs) });
    try {
      const ids = Array.from({ length: 40 }, (_, i) => `b${i}`);
      await a.store.messages.enqueue(ids.map((id) => msg(id)), NOW);
      const rows = await a.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 40 });
      announced.length = 0;
      await a.store.transaction(async (tx) => {
        await tx.dispatch.beginAttempts(rows.map((r) => ({ seq: r.seq, account_id: null, attempt: 1, detail: { account: 'acc' } })), NOW);
        const outcome = (r: (typeof rows)[number]) => ({ seq: r.seq, tenant_id: '', account_id: null, via_account: 'acc', sandbox: false, captured_id: null, smtp_message_id: `<${r.id}@x>`, recipients: null, started_ts: NOW, detail: {} });
        // one row twice: its second outcome finds it sent and writes nothing
        await tx.dispatch.markSent([...rows.map(outcome), outcome(rows[0])], NOW + 1);
      });
      expect(announced.map((e) => e.type)).toEqual([...ids.map(() => 'attempt'), ...ids.map(() => 'sent')]);
      for (const id of ['b0', 'b33', 'b39']) {
        const stored = await a.store.messages.timeline(key(id), null);
        expect(stored.slice(1)).toEqual(announced.filter((e) => e.message_id === id));
        expect(await a.store.messages.get(key(id))).toMatchObject({ state: 'sent', sent_ts: NOW + 1, updated_ts: NOW + 1, attempts: 1, smtp_message_id: `<${id}@x>` });
      }
      // the send log counts each delivery, the repeated outcome too (as one row per outcome always did)
      expect(await a.store.dispatch.rateWindowCounts('', 'acc', NOW + 1)).toEqual({ minute: 41, hour: 41, day: 41 });
    } finally {
      await a.remove();
    }
  });

  it('releases expired leases except those still being sent here', async () => {
    await store.messages.enqueue([msg('a'), msg('b')], NOW);
    await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 30, limit: 10 });
    expect(await store.dispatch.nextLeaseExpiry()).toBe(NOW + 30);
    expect(await store.dispatch.nextLeaseExpiry([])).toBe(NOW + 30);
    // this process's own sends are ignored
    const [a, b] = [await seqOf('a'), await seqOf('b')];
    expect(await store.dispatch.nextLeaseExpiry([a, b])).toBeNull();
    expect(await store.dispatch.nextLeaseExpiry([a])).toBe(NOW + 30);
    expect(await store.dispatch.releaseExpiredLeases(NOW + 29, NOW + 29)).toBe(0);
    expect(await store.dispatch.releaseExpiredLeases(NOW + 30, NOW + 30, [a])).toBe(1);
    expect((await store.messages.get(key('a')))!.state).toBe('sending');
    expect((await store.messages.get(key('b')))!.state).toBe('queued');
    expect((await store.messages.timeline(key('b'), null)).map((e) => e.type)).toEqual(['queued', 'lease_expired']);
  });

  it('retry: error or deferred back to queued with a fresh budget; 404/409 cases', async () => {
    await store.messages.enqueue([msg('e'), msg('q')], NOW);
    await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 30, limit: 1 });
    await store.dispatch.markError([{ seq: await seqOf('e'), account_id: null, error: 'x', detail: {} }], NOW);
    expect(await store.messages.retry(key('e'), NOW + 5)).toMatchObject({ status: 'ok', message: { id: 'e', state: 'queued', error: null, retry_count: 0 } });
    expect(await store.messages.retry(key('q'), NOW)).toEqual({ status: 'conflict', state: 'queued' });
    expect(await store.messages.retry(key('nope'), NOW)).toEqual({ status: 'not_found' });
  });

  it('prunes the send log past the longest window', async () => {
    await store.messages.enqueue([msg('a'), msg('b')], NOW);
    await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 30, limit: 2 });
    await store.dispatch.markSent([await sent('a')], NOW - 90_000);
    await store.dispatch.markSent([await sent('b')], NOW);
    expect(await store.dispatch.sendLogSince('', 'acc', 0)).toEqual([NOW - 90_000, NOW]);
    expect(await store.reports.pruneSendLog(NOW - 86_400, 1000)).toBe(1);
    expect(await store.dispatch.sendLogSince('', 'acc', 0)).toEqual([NOW]);
  });

  it('claims from a large queue through the partial indexes (no full scans)', async () => {
    const batch: MessagePayload[] = [];
    for (let i = 0; i < 50_000; i++) batch.push(msg(`bulk${i}`, { account_id: `acc${i % 5}`, priority: (i % 4) as 0 | 1 | 2 | 3 }));
    await store.messages.enqueue(batch, NOW);
    await store.withConnection((db) => {
      const st = prepareClaimStatements({ db });
      expect(planOf(db, st.headOfAccount.source, '', 'acc1', 5)).toMatch(/USING (COVERING )?INDEX messages_queued_account \(tenant_id=\? AND account_id=\?\)/);
      expect(planOf(db, st.headOfAccountHeld.source, '', 'acc1', '["b"]', 5)).toMatch(/USING (COVERING )?INDEX messages_queued_account \(tenant_id=\? AND account_id=\?\)/);
      // the loose index scan seeks each next (tenant, account): the next account of the tenant, else the next
      // tenant (a row-value range `(tenant_id,account_id)>(?,?)` walked every queued row of the current account)
      const next = planOf(db, st.nextAccount.source, '', 'acc1', '');
      expect(next).toMatch(/INDEX messages_queued_account \(tenant_id=\? AND account_id>\?\)/);
      expect(next).toMatch(/INDEX messages_queued_account \(tenant_id>\?\)/);
      expect(next).not.toMatch(/\(tenant_id,account_id\)>/);
      for (const [name, index] of [
        ['nextDue', 'messages_deferred'],
        ['promote', 'messages_deferred'],
        ['earliestLease', 'messages_sending'],
        ['nextLease', 'messages_sending'],
        ['releaseExpired', 'messages_sending'],
        ['leased', 'messages_sending'],
        ['claimHead', 'messages_queued'],
        ['firstAccount', 'messages_queued_account'],
        ['claimableWithoutAccount', 'messages_queued_unassigned'],
      ] as const) {
        const sql = st[name].source;
        const params = (sql.match(/\?/g) ?? []).map((_, i, all) => (sql.includes('json_each') && i === all.length - 1 ? '[]' : NOW));
        expect(planOf(db, sql, ...params), name).toMatch(new RegExp(`INDEX ${index}`));
      }
      expect(planOf(db, st.claimHead.source, NOW + 60, NOW, 5)).not.toMatch(/TEMP B-TREE/);
      // the claimed rows themselves are reached by their rowid, whatever the guard
      expect(planOf(db, st.claimHead.source, NOW + 60, NOW, 5)).toMatch(/^SEARCH messages USING INTEGER PRIMARY KEY/);
      expect(planOf(db, st.claimSeqs.source, NOW + 60, NOW, '[1,2]')).toMatch(/^SEARCH messages USING INTEGER PRIMARY KEY/);
      // the set-based outcome statements reach each row by its rowid too
      const out = prepareOutcomeStatements({ db });
      expect(planOf(db, out.leased.of(2).source, 1, 2)).toBe('SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)');
      expect(planOf(db, out.sent.of(2).source, ...[1, 0, null, null, null, NOW, 2, 0, null, null, null, NOW], NOW, NOW)).toMatch(/SCAN o \| SEARCH messages USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    });
    let claimed = 0;
    const seen = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const rows = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 100, caps: { perAccount: new Map(), noAccount: 20, otherAccounts: 20 } });
      claimed += rows.length;
      for (const r of rows) seen.add(r.priority);
    }
    expect(claimed).toBe(2000);
    // priority first across accounts: the first claims are all immediate
    expect([...seen]).toEqual([0]);
  });
});
