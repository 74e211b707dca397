import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCapturedSearch } from '../../../../src/core/sink/search-query.js';
import type { SqliteStore } from '../../../../src/core/store/index.js';
import type { NewCaptured } from '../../../../src/core/store/ports.js';
import { listSql } from '../../../../src/core/store/sqlite/captured-reads.js';
import { prepareRetentionStatements } from '../../../../src/core/store/sqlite/captured-retention.js';
import { encodeCursor } from '../../../../src/core/store/sql/cursor.js';
import { ftsQuery } from '../../../../src/core/store/sqlite/fts-query.js';
import { openTempStore, planOf, type TempStore } from '../../../support/store/sqlite.js';
import { messageKey as key } from '../../../../src/core/store/records.js';

function fixture(i: number, over: Partial<NewCaptured> = {}): NewCaptured {
  return {
    received_ts: 1_700_000_000 + i,
    mail_from: `s${i % 50}@example.com`,
    rcpt_to: [`r${i % 100}@example.org`],
    from: `Sender ${i % 50} <s${i % 50}@example.com>`,
    to: [`r${i % 100}@example.org`],
    cc: [],
    subject: `subject ${i}`,
    date_ts: null,
    size: 100,
    attachments: i % 3 === 0 ? 1 : 0,
    mailbox: i % 10 === 0 ? 'team' : null,
    message_id: `<${i}@example.com>`,
    preview: '',
    remote_address: null,
    helo: null,
    tls: false,
    search_text: `body text token${i} ${i % 2 === 0 ? 'even' : 'odd'}`,
    ...over,
  };
}

describe('FTS5 query building', () => {
  it('quotes every term for FTS5, so operators and punctuation are plain text', () => {
    expect(ftsQuery([{ field: 'any', text: 'a"b OR cd' }])).toBe('"a""b OR cd"*');
    expect(ftsQuery([{ field: 'any', text: 'a b' }])).toBe('"a b"');
    expect(ftsQuery([{ field: 'sender', text: 'bob@x.test' }, { field: 'any', text: 'x' }])).toBe('sender : "bob@x.test"* AND "x"');
    expect(ftsQuery([{ field: 'any', text: '***' }])).toBeNull();
  });
});

describe('SQLite captured store', () => {
  let t: TempStore;
  let store: SqliteStore;
  beforeEach(async () => {
    t = await openTempStore();
    store = t.store;
  });
  afterEach(() => t.remove());
  const insert = async (m: NewCaptured, raw: Buffer) => (await store.captured.insertMany([{ m, raw }]))[0];

  it('stores the source once and returns summaries without it', async () => {
    const raw = Buffer.from('Subject: one\r\n\r\nbody');
    const c = await insert(fixture(1), raw);
    expect(c.id).toBe(1);
    expect(c).not.toHaveProperty('raw');
    expect((await store.captured.raw(1))!.equals(raw)).toBe(true);
    expect(await store.captured.get(2)).toBeNull();
    expect(await store.captured.raw(2)).toBeNull();
    expect(await store.captured.markRead(1)).toBe(true);
    expect((await store.captured.get(1))!.read).toBe(true);
    expect(await store.captured.markRead(99)).toBe(false);
    expect(await store.integrityCheck()).toBe('ok');
  });

  it('survives hostile search input', async () => {
    await store.captured.insertMany(Array.from({ length: 20 }, (_, i) => ({ m: fixture(i), raw: Buffer.from('x') })));
    for (const q of ['"', '""', 'NEAR(a b)', 'a AND', '-x', '*', 'col:"x', '(((', 'é', 'subject:', '\u0000', 'a'.repeat(400)]) {
      await expect(store.captured.list({ limit: 10, search: parseCapturedSearch(q) }), q).resolves.toBeDefined();
    }
  });

  it('links a capture to its queue entry and records it on the timeline', async () => {
    const c = await insert(fixture(1), Buffer.from('x'));
    await store.messages.enqueue(
      [{ id: 'm1', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: 'b', content_type: 'plain', priority: 2 }],
      1_700_000_500,
    );
    const m1 = (await store.messages.get(key('m1')))!.seq;
    await store.captured.linkMessage(c.id, m1);
    expect((await store.captured.get(c.id))!.relay_message_id).toBe('m1');
    const tl = await store.messages.timeline(key('m1'), null);
    expect(tl.map((e) => [e.type, e.state, e.ts, e.detail])).toEqual([
      ['queued', 'queued', 1_700_000_500, { priority: 2 }],
      ['captured', 'queued', 1_700_000_500, { captured_id: c.id }],
    ]);
    // unknown capture or message: nothing happens
    await store.captured.linkMessage(999, m1);
    await store.captured.linkMessage(c.id, 1_000_000_000);
    expect(await store.messages.timeline(key('m1'), null)).toHaveLength(2);
  });

  it('prunes to the count limit by counting an index, with ids missing in between', async () => {
    const saved = await store.captured.insertMany(Array.from({ length: 10 }, (_, i) => ({ m: fixture(i), raw: Buffer.from('x') })));
    const ids = saved.map((c) => c.id);
    await store.captured.deleteMany([ids[1], ids[2], ids[6]]);
    const prune = (keepCount: number) => store.captured.pruneBatch({ keepCount, receivedBefore: null, batch: 100 });
    // 7 left: ids within a range no wider than the limit need no count at all
    expect(await prune(10)).toEqual([]);
    expect(await prune(7)).toEqual([]);
    expect(await prune(4)).toEqual([ids[0], ids[3], ids[4]]);
    expect((await store.captured.list({ limit: 10 })).items.map((c) => c.id)).toEqual([ids[9], ids[8], ids[7], ids[5]]);
    await store.withConnection((db) => {
      const st = prepareRetentionStatements({ db });
      // neither walks the table's rows: a count over an index's cells, and both ends of the rowid tree
      expect(planOf(db, st.countAll.source)).toContain('COVERING INDEX');
      expect(planOf(db, st.idRange.source)).not.toMatch(/SCAN captured(?! USING)/);
    });
  });

  it('keeps list and search on indexes at 20,000 messages', async () => {
    const raw = Buffer.alloc(500, 'x');
    await store.transaction(async (tx) => {
      for (let i = 0; i < 20_000; i += 1000) {
        await tx.captured.insertMany(Array.from({ length: 1000 }, (_, k) => ({ m: fixture(i + k), raw })));
      }
    });
    await store.withConnection((db) => {
      const plan = (q: Parameters<typeof listSql>[0]) => {
        const { sql, params } = listSql(q);
        return planOf(db, sql, params);
      };
      expect(plan({ limit: 50, cursor: encodeCursor(100) })).toContain('INTEGER PRIMARY KEY');
      const searchPlan = plan({ limit: 50, cursor: encodeCursor(100), search: parseCapturedSearch('x') });
      expect(searchPlan).toContain('VIRTUAL TABLE INDEX');
      expect(searchPlan).not.toContain('TEMP B-TREE');
      expect(plan({ limit: 50, search: parseCapturedSearch('is:unread') })).toContain('captured_unread');
      expect(planOf(db, prepareRetentionStatements({ db }).olderThan.source, 5, 100)).toContain('captured_received');
    });

    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const t0 = performance.now();
      const r = await fn();
      return [r, performance.now() - t0];
    };
    const [rare, rareMs] = await timed(() => store.captured.list({ limit: 50, search: parseCapturedSearch('token12345') }));
    expect(rare.items.map((i) => i.id)).toEqual([12346]);
    const [common, commonMs] = await timed(() => store.captured.list({ limit: 50, search: parseCapturedSearch('even from:s4') }));
    expect(common.items).toHaveLength(50);
    expect(common.items.every((i) => i.from.startsWith('Sender 4') && (i.id - 1) % 2 === 0)).toBe(true);
    const [team, teamMs] = await timed(() => store.captured.list({ limit: 50, search: parseCapturedSearch('mailbox:team has:attachment') }));
    expect(team.items.every((i) => i.mailbox === 'team' && i.attachments === 1)).toBe(true);
    console.info(`20k captured: rare term ${rareMs.toFixed(1)} ms, two terms ${commonMs.toFixed(1)} ms, filters ${teamMs.toFixed(1)} ms`);

    // retention in bounded batches, oldest first, index kept consistent
    let removed = 0;
    for (;;) {
      const ids = await store.captured.pruneBatch({ keepCount: 1000, receivedBefore: null, batch: 500 });
      expect(ids.length).toBeLessThanOrEqual(500);
      removed += ids.length;
      if (ids.length === 0) break;
    }
    expect(removed).toBe(19_000);
    expect((await store.captured.counts()).total).toBe(1000);
    expect((await store.captured.list({ limit: 1 })).items[0].id).toBe(20_000);
    expect((await store.captured.list({ limit: 5, search: parseCapturedSearch('token12345') })).items).toEqual([]);
    expect((await store.captured.list({ limit: 5, search: parseCapturedSearch('token19999') })).items).toHaveLength(1);
    expect(await store.captured.deleteAll()).toBe(1000);
    expect((await store.captured.list({ limit: 5, search: parseCapturedSearch('token19999') })).items).toEqual([]);
    expect(await store.integrityCheck()).toBe('ok');
  });
});
