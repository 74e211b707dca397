import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeSettingsValues } from '../../../src/core/settings/runtime-settings.js';
import { ManualClock, nowSec } from '../../../src/core/clock.js';
import { createReporter } from '../../../src/core/report/reporter.js';
import { ORPHAN_EVENT_AGE_SECONDS, Retention, SEND_LOG_WINDOW_SECONDS } from '../../../src/core/report/retention.js';
import { addFinal, makeContext, payload, stateOf, type TestContext } from './fixtures.js';

const DAY = 86_400;
const WEEK = 7 * DAY;

let contexts: TestContext[] = [];
afterEach(() => {
  for (const c of contexts) c.close();
  contexts = [];
});

function setup(settings: Partial<RuntimeSettingsValues> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  // a sync URL is configured unless a test says otherwise: unreported outcomes must then be kept
  const t = makeContext({ clock, settings: { client_sync_url: 'http://127.0.0.1:9/sync', ...settings } });
  contexts.push(t);
  return { ...t, clock, now: () => nowSec(clock) };
}

/** Final messages acknowledged at the clock's current time. */
function addReported(t: TestContext & { now: () => number }, ids: string[]) {
  addFinal(t.store, ids, { state: 'sent', ts: t.now() });
  const marked = t.store.reports.markReported(t.store.reports.pending(ids.length + 100).filter((p) => ids.includes(p.item.id)), t.now());
  expect(marked).toBe(ids.length);
}

function eventCount(t: TestContext, id?: string): number {
  const sql = id ? 'SELECT COUNT(*) AS n FROM message_events WHERE message_id = ?' : 'SELECT COUNT(*) AS n FROM message_events';
  const stmt = t.store.db.prepare<unknown[], { n: number }>(sql);
  return (id ? stmt.get(id) : stmt.get())!.n;
}

describe('retention', () => {
  it('purges reported messages and their events once retention_seconds have passed since the report, and nothing else', async () => {
    const t = setup();
    const retention = new Retention(t.ctx);
    addReported(t, ['old-1', 'old-2']);
    t.clock.advance(DAY);
    addReported(t, ['young']);
    addFinal(t.store, ['unreported'], { state: 'error', ts: t.now() - 2 * WEEK });
    t.store.messages.enqueueBatch([payload('pending')], t.now() - 2 * WEEK);
    expect(eventCount(t, 'old-1')).toBeGreaterThan(0);

    t.clock.advance(WEEK - DAY - 1);
    expect((await retention.run()).reported).toBe(0);
    t.clock.advance(1);
    // reported_ts < now - retention
    expect((await retention.run()).reported).toBe(0);
    t.clock.advance(1);
    const r = await retention.run();
    expect(r.reported).toBe(2);
    expect(stateOf(t.store, 'old-1')).toBeNull();
    expect(stateOf(t.store, 'old-2')).toBeNull();
    expect(eventCount(t, 'old-1')).toBe(0);
    expect(stateOf(t.store, 'young')).toBe('reported');
    expect(stateOf(t.store, 'unreported')).toBe('error');
    expect(stateOf(t.store, 'pending')).toBe('queued');
    expect(eventCount(t, 'young')).toBeGreaterThan(0);

    t.clock.advance(DAY);
    expect((await retention.run()).reported).toBe(1);
    expect(stateOf(t.store, 'young')).toBeNull();
  });

  it('applies a retention change at once and is disabled by retention_seconds <= 0', async () => {
    const t = setup({ retention_seconds: 0 });
    const retention = new Retention(t.ctx);
    addReported(t, ['a']);
    t.clock.advance(365 * DAY);
    expect((await retention.run()).reported).toBe(0);
    t.ctx.settings.update({ retention_seconds: -1 });
    expect((await retention.run()).reported).toBe(0);
    t.ctx.settings.update({ retention_seconds: 3600 });
    expect((await retention.run()).reported).toBe(1);
  });

  it('purges in small batches until done (a backlog larger than one batch)', async () => {
    const t = setup();
    const retention = new Retention(t.ctx, { batchSize: 100 });
    const ids = Array.from({ length: 1234 }, (_, i) => `bulk-${i}`);
    addReported(t, ids);
    t.clock.advance(WEEK + 1);
    let turns = 0;
    const counter = setInterval(() => turns++, 0);
    const r = await retention.run();
    clearInterval(counter);
    expect(r.reported).toBe(1234);
    expect(t.store.messages.countByState().reported).toBe(0);
    expect(eventCount(t)).toBe(0);
    expect(turns).toBeGreaterThan(0);
  });

  it('without a sync URL, final messages past retention are purged even though never reported', async () => {
    const t = setup({ client_sync_url: null });
    const retention = new Retention(t.ctx);
    addFinal(t.store, ['lonely-old'], { state: 'sent', ts: t.now() });
    t.clock.advance(WEEK + 1);
    addFinal(t.store, ['lonely-new'], { state: 'error', ts: t.now() });
    t.store.messages.enqueueBatch([payload('still-pending')], t.now() - 2 * WEEK);
    const r = await retention.run();
    expect(r.unreported).toBe(1);
    expect(stateOf(t.store, 'lonely-old')).toBeNull();
    expect(eventCount(t, 'lonely-old')).toBe(0);
    expect(stateOf(t.store, 'lonely-new')).toBe('error');
    expect(stateOf(t.store, 'still-pending')).toBe('queued');
  });

  it('prunes the send log past the longest rate window (one day)', async () => {
    const t = setup();
    const retention = new Retention(t.ctx, { batchSize: 10 });
    const insert = t.store.db.prepare('INSERT INTO send_log (account_id, ts) VALUES (?, ?)');
    const now = t.now();
    for (let i = 0; i < 150; i++) insert.run('acc', now - SEND_LOG_WINDOW_SECONDS - 1000 + i);
    for (let i = 0; i < 20; i++) insert.run('acc', now - 10 + i);
    const r = await retention.run();
    expect(r.send_log).toBe(150);
    const left = t.store.db.prepare<[], { n: number; oldest: number }>('SELECT COUNT(*) AS n, MIN(ts) AS oldest FROM send_log').get()!;
    expect(left.n).toBe(20);
    expect(left.oldest).toBe(now - 10);
  });

  it('prunes timeline rows whose message is gone once they are an hour old, keeping every other row', async () => {
    const t = setup();
    const retention = new Retention(t.ctx, { eventChunk: 7 });
    t.store.messages.enqueueBatch([payload('alive-1'), payload('alive-2')], t.now());
    const insert = t.store.db.prepare(`INSERT INTO message_events (message_id, ts, type, state) VALUES (?, ?, 'queued', 'queued')`);
    for (let i = 0; i < 30; i++) insert.run(`ghost-${i}`, t.now());
    t.clock.advance(ORPHAN_EVENT_AGE_SECONDS - 10);
    insert.run('ghost-recent', t.now());
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
      const t = setup();
      const reporter = createReporter({ ctx: t.ctx });
      addReported(t, ['c1', 'c2']);
      addFinal(t.store, ['c3'], { state: 'sent', ts: t.now() });
      expect(await reporter.cleanup(0)).toBe(2);
      expect(stateOf(t.store, 'c3')).toBe('sent');
    });

    it('older_than_seconds keeps younger reports; negative values clamp to 0; null uses the retention setting', async () => {
      const t = setup({ retention_seconds: 3600 });
      const reporter = createReporter({ ctx: t.ctx });
      addReported(t, ['d-old']);
      t.clock.advance(100);
      addReported(t, ['d-new']);
      expect(await reporter.cleanup(101)).toBe(0);
      expect(await reporter.cleanup(100)).toBe(1);
      expect(stateOf(t.store, 'd-new')).toBe('reported');
      expect(await reporter.cleanup(null)).toBe(0);
      t.clock.advance(3600);
      expect(await reporter.cleanup(undefined)).toBe(1);
      addReported(t, ['e']);
      expect(await reporter.cleanup(-50)).toBe(1);
    });
  });

  it('runs on its own from the report loop (first pass shortly after start)', async () => {
    const t = setup({ client_sync_url: null });
    addReported(t, ['auto']);
    t.clock.advance(WEEK + 1);
    const reporter = createReporter({ ctx: t.ctx, timing: { retentionInitialDelayMs: 10, retentionIntervalMs: 50 } });
    reporter.start();
    try {
      const deadline = Date.now() + 5000;
      while (stateOf(t.store, 'auto') !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(stateOf(t.store, 'auto')).toBeNull();
      expect(reporter.status().retention).toMatchObject({ reported: 1, ts: t.now() });
    } finally {
      await reporter.stop();
    }
  });
});
