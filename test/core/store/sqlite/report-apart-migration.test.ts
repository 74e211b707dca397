import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, runMigrations } from '../../../../src/core/store/sqlite/migrations/index.js';
import { openStore, type SqliteStore } from '../../../../src/core/store/index.js';
import { messageKey as key } from '../../../../src/core/store/records.js';
import { tempDir } from '../../../support/common/temp-dir.js';
import { NOW, payload } from '../../../support/store/fixtures.js';

const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** A database at version 7, when `reported` was a state: a reported delivery, a reported failure, an unreported failure. */
function reportedStateDatabase(): string {
  const file = path.join(tempDir('gmr-report-apart-'), 'relay.db');
  const db = new Database(file);
  try {
    runMigrations(db, MIGRATIONS.filter((m) => m.version <= 7));
    const insert = db.prepare(`INSERT INTO messages (tenant_id, id, priority, state, payload, subject, from_addr, to_addrs,
      created_ts, updated_ts, sent_ts, error_ts, error, reported_ts, attempts) VALUES ('', ?, 2, ?, ?, 's', 'a@example.com', 'b@example.com', ?, ?, ?, ?, ?, ?, 1)`);
    const event = db.prepare(`INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail) VALUES ('', ?, ?, ?, ?, ?)`);
    const row = (id: string, state: string, sent: number | null, error: string | null, reported: number | null) =>
      insert.run(id, state, JSON.stringify(payload(id)), NOW - 50, reported ?? NOW - 40, sent, error ? NOW - 40 : null, error, reported);
    row('delivered', 'reported', NOW - 40, null, NOW - 30);
    row('refused', 'reported', null, 'refused (SMTP 550)', NOW - 30);
    row('fresh-error', 'error', null, 'limit reached', null);
    event.run('delivered', NOW - 40, 'sent', 'sent', null);
    event.run('delivered', NOW - 30, 'reported', 'reported', JSON.stringify({ outcome: 'sent' }));
    event.run('refused', NOW - 40, 'error', 'error', JSON.stringify({ error: 'refused (SMTP 550)' }));
    event.run('refused', NOW - 30, 'reported', 'reported', JSON.stringify({ outcome: 'error' }));
  } finally {
    db.close();
  }
  return file;
}

describe('migration 008: the report apart from the outcome (#20.1)', () => {
  it('gives every reported message its outcome back, and its report rows the outcome they reported', async () => {
    const store = await openStore({ path: reportedStateDatabase() });
    open.push(store);
    expect(await store.messages.get(key('delivered'))).toMatchObject({ state: 'sent', sent_ts: NOW - 40, reported_ts: NOW - 30 });
    expect(await store.messages.get(key('refused'))).toMatchObject({ state: 'error', error: 'refused (SMTP 550)', error_ts: NOW - 40, reported_ts: NOW - 30 });
    expect(await store.messages.get(key('fresh-error'))).toMatchObject({ state: 'error', reported_ts: null });
    expect((await store.messages.timeline(key('refused'), null)).map((e) => `${e.type}:${e.state}`)).toEqual(['error:error', 'reported:error']);
    expect((await store.messages.timeline(key('delivered'), null)).map((e) => `${e.type}:${e.state}`)).toEqual(['sent:sent', 'reported:sent']);
    expect(await store.messages.countByState()).toEqual({ queued: 0, deferred: 0, sending: 0, sent: 1, error: 2 });
  });

  it('keeps reporting and retention on the new indexes: the unreported failure is pending, the reported ones purge', async () => {
    const store = await openStore({ path: reportedStateDatabase() });
    open.push(store);
    expect((await store.reports.pending('', 10)).map((r) => r.item.id)).toEqual(['fresh-error']);
    expect(await store.messages.countUnreported()).toBe(1);
    expect((await store.messages.list({ limit: 10, state: 'error', reported: true })).items.map((m) => m.id)).toEqual(['refused']);
    // a reported failure is retried like any failure
    expect(await store.messages.retry(key('refused'), NOW)).toMatchObject({ status: 'ok', message: { state: 'queued', reported_ts: null } });
    expect(await store.messages.purgeReported(NOW)).toBe(1);
    expect(await store.messages.get(key('delivered'))).toBeNull();
  });
});
