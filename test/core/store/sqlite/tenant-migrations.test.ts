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

/** A database as the relay wrote it before tenants (migrations 001-004), with rows in every table 005/006 rebuild or extend. */
function preTenantDatabase(): string {
  const file = path.join(tempDir('gmr-premigrate-'), 'relay.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    runMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    db.prepare(`INSERT INTO accounts (id, host, port, user, ttl, limit_per_minute, limit_behavior, use_tls, created_at, updated_ts)
      VALUES ('acc', 'smtp.example.com', 587, 'u', 120, 5, 'error', 1, '2025-01-01 10:00:00', ?)`).run(NOW - 100);
    const insert = db.prepare(`INSERT INTO messages (seq, id, account_id, priority, state, payload, subject, from_addr, to_addrs,
      created_ts, updated_ts, sent_ts, error_ts, error, reported_ts, attempts) VALUES (?, ?, 'acc', 2, ?, ?, ?, 'a@example.com', 'b@example.com', ?, ?, ?, ?, ?, ?, ?)`);
    const row = (seq: number, id: string, state: string, over: { sent?: number; error?: string; reported?: number } = {}) =>
      insert.run(
        seq,
        id,
        state,
        JSON.stringify(payload(id, { account_id: 'acc' })),
        `subject ${id}`,
        NOW - 50,
        NOW - 40,
        over.sent ?? null,
        over.error ? NOW - 40 : null,
        over.error ?? null,
        over.reported ?? null,
        over.sent || over.error ? 1 : 0,
      );
    row(3, 'queued-1', 'queued');
    row(5, 'sent-1', 'sent', { sent: NOW - 40 });
    row(8, 'error-1', 'error', { error: 'refused (SMTP 550)' });
    row(9, 'reported-1', 'reported', { sent: NOW - 40, reported: NOW - 30 });
    // the newest message was deleted: the AUTOINCREMENT high-water mark (12) is above every seq left
    row(12, 'gone', 'queued');
    db.prepare(`DELETE FROM messages WHERE id = 'gone'`).run();
    db.prepare(`INSERT INTO message_events (message_id, ts, type, state) VALUES ('sent-1', ?, 'queued', 'queued'), ('sent-1', ?, 'sent', 'sent')`).run(NOW - 50, NOW - 40);
    db.prepare(`INSERT INTO send_log (account_id, ts) VALUES ('acc', ?)`).run(NOW - 40);
    return file;
  } finally {
    db.close();
  }
}

describe('migrations 005 and 006 on a database written before tenants', () => {
  it('keeps every account, message, timeline row and send-log row, in the default tenant', async () => {
    const file = preTenantDatabase();
    const store = await openStore({ path: file });
    open.push(store);
    expect(await store.withConnection((db) => db.pragma('user_version', { simple: true }))).toBe(MIGRATIONS.at(-1)!.version);

    expect(await store.accounts.get('', 'acc')).toMatchObject({
      tenant_id: '',
      id: 'acc',
      host: 'smtp.example.com',
      user: 'u',
      ttl: 120,
      limit_per_minute: 5,
      limit_behavior: 'error',
      use_tls: true,
      created_at: '2025-01-01 10:00:00',
    });
    const all = await store.messages.listAll({ tenantId: '' });
    expect(all.map((m) => [m.seq, m.id, m.state, m.tenant_id, m.batch_code])).toEqual([
      [3, 'queued-1', 'queued', '', null],
      [5, 'sent-1', 'sent', '', null],
      [8, 'error-1', 'error', '', null],
      // migration 008: a reported message keeps its outcome
      [9, 'reported-1', 'sent', '', null],
    ]);
    expect(await store.messages.get(key('error-1'))).toMatchObject({ error: 'refused (SMTP 550)', attempts: 1 });
    expect((await store.messages.timeline(key('sent-1'), 'acc')).map((e) => [e.type, e.tenant_id])).toEqual([
      ['queued', ''],
      ['sent', ''],
    ]);
    expect(await store.dispatch.sendLogSince('', 'acc', 0)).toEqual([NOW - 40]);
    expect((await store.reports.pending('', 10)).map((r) => r.item.id)).toEqual(['sent-1', 'error-1']);
  });

  it('goes on numbering messages above the old high-water mark, and takes the same ids in a tenant', async () => {
    const store = await openStore({ path: preTenantDatabase() });
    open.push(store);
    expect(await store.messages.enqueue([payload('new-1'), payload('sent-1', { tenant_id: 't' })], NOW)).toEqual({ queued: 2, rejected: [] });
    expect((await store.messages.get(key('new-1')))!.seq).toBeGreaterThan(12);
    expect(await store.messages.get(key('sent-1', 't'))).toMatchObject({ tenant_id: 't', state: 'queued' });
    expect(await store.messages.enqueue([payload('sent-1')], NOW)).toEqual({ queued: 0, rejected: [{ id: 'sent-1', reason: 'already sent' }] });
    expect(await store.messages.enqueue([payload('error-1')], NOW)).toEqual({ queued: 1, rejected: [] });
    const claimed = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
    expect(claimed.map((c) => c.id)).toEqual(['queued-1', 'error-1', 'new-1', 'sent-1']);
    expect(await store.integrityCheck()).toBe('ok');
  });
});
