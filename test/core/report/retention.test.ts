import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeSettingsValues } from '../../../src/core/settings/runtime-settings.js';
import { ManualClock, nowSec } from '../../../src/core/clock.js';
import { createReporter } from '../../../src/core/report/reporter.js';
import { ORPHAN_EVENT_AGE_SECONDS, Retention, SEND_LOG_WINDOW_SECONDS, type RetentionOptions } from '../../../src/core/report/retention.js';
import { makeContext, type TestContext } from '../../support/relay/context.js';
import { addFinal, payload, isReported, stateOf } from '../../support/report/final-messages.js';
import { reporterDeps } from '../../support/report/reporter-deps.js';
import { withSideDb } from '../../support/sqlite/side-db.js';
import { tenantConfig } from '../../support/store/tenants-contract.js';

const DAY = 86_400;
const WEEK = 7 * DAY;

let contexts: TestContext[] = [];
afterEach(async () => {
  for (const c of contexts) await c.close();
  contexts = [];
});

async function setup(settings: Partial<RuntimeSettingsValues> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  // a sync URL is configured unless a test says otherwise: unreported outcomes must then be kept
  const t = await makeContext({ clock, settings: { client_sync_url: 'http://127.0.0.1:9/sync', ...settings } });
  contexts.push(t);
  return { ...t, clock, now: () => nowSec(clock) };
}

function retentionOf(t: TestContext, opts?: RetentionOptions): Retention {
  return new Retention({ messages: t.store.messages, reports: t.store.reports, settings: t.settings, clock: t.clock }, opts);
}

/** Final messages acknowledged at the clock's current time. */
async function addReported(t: TestContext & { now: () => number }, ids: string[]) {
  await addFinal(t, ids, { state: 'sent', ts: t.now() });
  const pending = await t.store.reports.pending('', ids.length + 100);
  const marked = await t.store.reports.markReported(pending.filter((p) => ids.includes(p.item.id)), t.now());
  expect(marked).toBe(ids.length);
}

function eventCount(t: TestContext, id?: string): number {
  const sql = id ? 'SELECT COUNT(*) AS n FROM message_events WHERE message_id = ?' : 'SELECT COUNT(*) AS n FROM message_events';
  return withSideDb(t.config.dbPath, (db) => {
    const stmt = db.prepare<unknown[], { n: number }>(sql);
    return (id ? stmt.get(id) : stmt.get())!.n;
  });
}

describe('retention of reported messages and old rows', () => {
  it('purges reported messages and their events once retention_seconds have passed since the report, and nothing else', async () => {
    const t = await setup();
    const retention = retentionOf(t);
    await addReported(t, ['old-1', 'old-2']);
    t.clock.advance(DAY);
    await addReported(t, ['young']);
    await addFinal(t, ['unreported'], { state: 'error', ts: t.now() - 2 * WEEK });
    await t.store.messages.enqueue([payload('pending')], t.now() - 2 * WEEK);
    expect(eventCount(t, 'old-1')).toBeGreaterThan(0);

    t.clock.advance(WEEK - DAY - 1);
    expect((await retention.run()).reported).toBe(0);
    t.clock.advance(1);
    // reported_ts < now - retention
    expect((await retention.run()).reported).toBe(0);
    t.clock.advance(1);
    const r = await retention.run();
    expect(r.reported).toBe(2);
    expect(await stateOf(t, 'old-1')).toBeNull();
    expect(await stateOf(t, 'old-2')).toBeNull();
    expect(eventCount(t, 'old-1')).toBe(0);
    expect(await isReported(t, 'young')).toBe(true);
    expect(await stateOf(t, 'unreported')).toBe('error');
    expect(await stateOf(t, 'pending')).toBe('queued');
    expect(eventCount(t, 'young')).toBeGreaterThan(0);

    t.clock.advance(DAY);
    expect((await retention.run()).reported).toBe(1);
    expect(await stateOf(t, 'young')).toBeNull();
  });

  it('applies a retention change at once and is disabled by retention_seconds <= 0', async () => {
    const t = await setup({ retention_seconds: 0 });
    const retention = retentionOf(t);
    await addReported(t, ['a']);
    t.clock.advance(365 * DAY);
    expect((await retention.run()).reported).toBe(0);
    await t.settings.update({ retention_seconds: -1 });
    expect((await retention.run()).reported).toBe(0);
    await t.settings.update({ retention_seconds: 3600 });
    expect((await retention.run()).reported).toBe(1);
  });

  it('purges in small batches until done (a backlog larger than one batch)', async () => {
    const t = await setup();
    const retention = retentionOf(t, { batchSize: 100 });
    const ids = Array.from({ length: 1234 }, (_, i) => `bulk-${i}`);
    await addReported(t, ids);
    t.clock.advance(WEEK + 1);
    let turns = 0;
    const counter = setInterval(() => turns++, 0);
    const r = await retention.run();
    clearInterval(counter);
    expect(r.reported).toBe(1234);
    expect(await t.store.messages.countByState()).toMatchObject({ sent: 0, error: 0 });
    expect(eventCount(t)).toBe(0);
    expect(turns).toBeGreaterThan(0);
  });

  it('without a sync URL, final messages past retention are purged even though never reported', async () => {
    const t = await setup({ client_sync_url: null });
    const retention = retentionOf(t);
    await addFinal(t, ['lonely-old'], { state: 'sent', ts: t.now() });
    t.clock.advance(WEEK + 1);
    await addFinal(t, ['lonely-new'], { state: 'error', ts: t.now() });
    await t.store.messages.enqueue([payload('still-pending')], t.now() - 2 * WEEK);
    const r = await retention.run();
    expect(r.unreported).toBe(1);
    expect(await stateOf(t, 'lonely-old')).toBeNull();
    expect(eventCount(t, 'lonely-old')).toBe(0);
    expect(await stateOf(t, 'lonely-new')).toBe('error');
    expect(await stateOf(t, 'still-pending')).toBe('queued');
  });

  it("a tenant with no application to report to has its final messages purged too; a reporting tenant's are kept", async () => {
    const t = await setup();
    await t.store.tenants.upsert('silent', tenantConfig({ client_base_url: null, client_auth: null }), t.now());
    await t.store.tenants.upsert('genropy', tenantConfig({ client_base_url: 'http://127.0.0.1:9/app' }), t.now());
    const retention = new Retention({
      messages: t.store.messages,
      reports: t.store.reports,
      settings: t.settings,
      clock: t.clock,
      unreportableTenants: async () => (await t.store.tenants.list()).filter((x) => !x.client_base_url).map((x) => x.id),
    });
    for (const tenant of ['silent', 'genropy']) await addFinal(t, ['old'], { state: 'sent', ts: t.now(), tenant });
    t.clock.advance(WEEK + 1);
    const r = await retention.run();
    expect(r.unreported).toBe(1);
    expect(await stateOf(t, 'old', 'silent')).toBeNull();
    expect(await stateOf(t, 'old', 'genropy')).toBe('sent');
  });

  it('prunes the send log past the longest rate window (one day)', async () => {
    const t = await setup();
    const retention = retentionOf(t, { batchSize: 10 });
    const now = t.now();
    withSideDb(t.config.dbPath, (db) => {
      const insert = db.prepare('INSERT INTO send_log (account_id, ts) VALUES (?, ?)');
      for (let i = 0; i < 150; i++) insert.run('acc', now - SEND_LOG_WINDOW_SECONDS - 1000 + i);
      for (let i = 0; i < 20; i++) insert.run('acc', now - 10 + i);
    });
    const r = await retention.run();
    expect(r.send_log).toBe(150);
    const left = withSideDb(t.config.dbPath, (db) => db.prepare<[], { n: number; oldest: number }>('SELECT COUNT(*) AS n, MIN(ts) AS oldest FROM send_log').get()!);
    expect(left.n).toBe(20);
    expect(left.oldest).toBe(now - 10);
  });

  it('prunes timeline rows whose message is gone once they are an hour old, keeping every other row', async () => {
    const t = await setup();
    const retention = retentionOf(t, { eventChunk: 7 });
    await t.store.messages.enqueue([payload('alive-1'), payload('alive-2')], t.now());
    const ghost = (id: string) =>
      withSideDb(t.config.dbPath, (db) => db.prepare(`INSERT INTO message_events (message_id, ts, type, state) VALUES (?, ?, 'queued', 'queued')`).run(id, t.now()));
    for (let i = 0; i < 30; i++) ghost(`ghost-${i}`);
    t.clock.advance(ORPHAN_EVENT_AGE_SECONDS - 10);
    ghost('ghost-recent');
    expect((await retention.run()).orphan_events).toBe(0);
    t.clock.advance(11);
    const r = await retention.run();
    expect(r.orphan_events).toBe(30);
    expect(eventCount(t, 'ghost-recent')).toBe(1);
    expect(eventCount(t, 'alive-1')).toBe(1);
    expect(eventCount(t, 'alive-2')).toBe(1);
    t.clock.advance(ORPHAN_EVENT_AGE_SECONDS);
    expect((await retention.run()).orphan_events).toBe(1);
  });

  describe('cleanup (cleanup-messages)', () => {
    it('older_than_seconds 0 removes every reported message, even one reported this second', async () => {
      const t = await setup();
      const reporter = createReporter(reporterDeps(t));
      await addReported(t, ['c1', 'c2']);
      await addFinal(t, ['c3'], { state: 'sent', ts: t.now() });
      expect(await reporter.cleanup(0)).toBe(2);
      expect(await stateOf(t, 'c3')).toBe('sent');
    });

    it('older_than_seconds keeps younger reports; negative values clamp to 0; null uses the retention setting', async () => {
      const t = await setup({ retention_seconds: 3600 });
      const reporter = createReporter(reporterDeps(t));
      await addReported(t, ['d-old']);
      t.clock.advance(100);
      await addReported(t, ['d-new']);
      expect(await reporter.cleanup(101)).toBe(0);
      expect(await reporter.cleanup(100)).toBe(1);
      expect(await isReported(t, 'd-new')).toBe(true);
      expect(await reporter.cleanup(null)).toBe(0);
      t.clock.advance(3600);
      expect(await reporter.cleanup(undefined)).toBe(1);
      await addReported(t, ['e']);
      expect(await reporter.cleanup(-50)).toBe(1);
    });
  });

  it('runs on its own from the report loop (first pass shortly after start)', async () => {
    const t = await setup({ client_sync_url: null });
    await addReported(t, ['auto']);
    t.clock.advance(WEEK + 1);
    const reporter = createReporter({ ...reporterDeps(t), timing: { retentionInitialDelayMs: 10, retentionIntervalMs: 50 } });
    reporter.start();
    try {
      const deadline = Date.now() + 5000;
      // the row goes before the pass records its result: wait for both
      while (((await stateOf(t, 'auto')) !== null || !reporter.status().retention) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await stateOf(t, 'auto')).toBeNull();
      expect(reporter.status().retention).toMatchObject({ reported: 1, ts: t.now() });
    } finally {
      await reporter.stop();
    }
  });
});
