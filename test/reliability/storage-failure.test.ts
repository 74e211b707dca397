import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { tempDir } from '../support/common/temp-dir.js';
import type { SqliteStore } from '../../src/core/store/index.js';

/**
 * Disk full and read-only data folder, on a real small tmpfs mounted for the test (root only);
 * where that is not possible, SQLite's own limits stand in (max_page_count, query_only). Which
 * mode runs is decided before the tests and written in their titles; a real mode never falls back.
 */
function tryMount(dir: string, opts: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function remount(dir: string, opts: string): void {
  execFileSync('mount', ['-o', `remount,${opts}`, dir], { stdio: 'ignore' });
}

/** A tmpfs can be mounted here (root, and a kernel or sandbox that allows it). */
function probeMount(): boolean {
  const dir = tempDir('gmr-probe-');
  if (!tryMount(dir, 'size=1m')) return false;
  execFileSync('umount', [dir], { stdio: 'ignore' });
  return true;
}

/**
 * A tmpfs with a file open for writing can be remounted read-only here. Linux refuses that (EBUSY)
 * while a writer is open, as SQLite's always is, so the real read-only mode rarely runs.
 */
function probeReadOnlyRemount(): boolean {
  const dir = tempDir('gmr-probe-');
  if (!tryMount(dir, 'size=1m')) return false;
  const fd = fs.openSync(path.join(dir, 'open-for-writing'), 'w');
  try {
    remount(dir, 'ro');
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

const REAL_DISK_FULL = probeMount();
const REAL_READ_ONLY = REAL_DISK_FULL && probeReadOnlyRemount();
const DISK_FULL_MODE = REAL_DISK_FULL ? 'real: a 4 MB tmpfs' : "simulated: SQLite's max_page_count, mounting is not permitted here";
const READ_ONLY_MODE = REAL_READ_ONLY
  ? 'real: the tmpfs remounted read-only'
  : `simulated: SQLite's query_only, ${REAL_DISK_FULL ? 'the kernel refuses to remount a filesystem read-only under an open writer' : 'mounting is not permitted here'}`;

const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
});

const batch = (prefix: string, n: number) => ({
  messages: Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    account_id: 'acc',
    from: 'sender@example.com',
    to: ['rcpt@example.com'],
    subject: `subject ${i}`,
    body: 'y'.repeat(2000),
  })),
});

async function fillUntil503(t: TestRelay): Promise<{ accepted: number; reason: string }> {
  let accepted = 0;
  for (let b = 0; b < 500; b++) {
    const r = await t.api('/commands/add-messages', { method: 'POST', json: batch(`fill${b}`, 200) });
    if (r.status === 503) return { accepted, reason: (await r.json()).detail as string };
    expect(r.status).toBe(200);
    accepted += 200;
  }
  throw new Error('the disk never filled');
}

describe('storage failures', () => {
  it(`disk full (${DISK_FULL_MODE}): 503 with a reason, nothing half-written, recovery when space returns`, async () => {
    const dataDir = tempDir();
    const real = REAL_DISK_FULL;
    if (real) {
      expect(tryMount(dataDir, 'size=4m'), 'mounting the tmpfs').toBe(true);
      mounted.push(dataDir);
    }
    const t = await startTestRelay({}, { dataDir });
    try {
      await t.relay.ctx.settings.update({ paused: true });
      await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
      const store = t.relay.store as SqliteStore;
      if (!real) await store.withConnection((db) => db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 200}`));
      const { accepted, reason } = await fillUntil503(t);
      expect(reason).toMatch(/storage unavailable: (the disk is full|disk I\/O error)/);
      const api = await t.api('/api/messages', { method: 'DELETE' });
      expect(api.status).toBeLessThan(500);
      // every accepted batch is complete; the refused batch left nothing behind
      const counts = await t.relay.store.messages.countByState();
      expect(counts.queued).toBe(accepted);

      if (real) remount(dataDir, 'size=64m');
      else await store.withConnection((db) => db.pragma('max_page_count = 1073741823'));
      const again = await t.api('/commands/add-messages', { method: 'POST', json: batch('after', 50) });
      expect(again.status).toBe(200);
      expect((await t.relay.store.messages.countByState()).queued).toBe(accepted + 50);
      expect(await t.relay.store.integrityCheck()).toBe('ok');
    } finally {
      await t.stop();
    }
  });

  it(`read-only data folder (${READ_ONLY_MODE}): 503 with a reason, reads still work, recovery when writable again`, async () => {
    const dataDir = tempDir();
    const real = REAL_READ_ONLY;
    if (real) {
      expect(tryMount(dataDir, 'size=32m'), 'mounting the tmpfs').toBe(true);
      mounted.push(dataDir);
    }
    const t = await startTestRelay({}, { dataDir });
    try {
      await t.relay.ctx.settings.update({ paused: true });
      await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
      expect((await t.api('/commands/add-messages', { method: 'POST', json: batch('before', 10) })).status).toBe(200);
      if (real) remount(dataDir, 'ro');
      else await (t.relay.store as SqliteStore).withConnection((db) => db.pragma('query_only = ON'));
      const r = await t.api('/commands/add-messages', { method: 'POST', json: batch('ro', 10) });
      expect(r.status).toBe(503);
      expect((await r.json()).detail).toMatch(/storage unavailable/);
      const list = await t.api('/api/messages?limit=5');
      expect(list.status).toBe(200);
      if (real) remount(dataDir, 'rw');
      else await (t.relay.store as SqliteStore).withConnection((db) => db.pragma('query_only = OFF'));
      expect((await t.api('/commands/add-messages', { method: 'POST', json: batch('rw', 10) })).status).toBe(200);
      expect((await t.relay.store.messages.countByState()).queued).toBe(20);
      expect(await t.relay.store.integrityCheck()).toBe('ok');
      expect(fs.existsSync(dataDir)).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
