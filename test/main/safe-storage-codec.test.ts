import { describe, expect, it } from 'vitest';
import { createSafeStorageCodec, SAFE_STORAGE_PREFIX } from '../../src/main/safe-storage-codec.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { withSideDb } from '../support/sqlite/side-db.js';
import { FakeSafeStorage } from '../support/main/electron-fakes.js';
import { tempDir } from '../support/common/temp-dir.js';

/** what is on disk, read past the store (which decodes) */
function rawAccountPassword(t: TestRelay, id: string): string | null {
  return withSideDb(t.relay.ctx.config.dbPath, (db) => (db.prepare('SELECT password FROM accounts WHERE id = ?').get(id) as { password: string | null }).password);
}

function rawRuntimeSettings(t: TestRelay): Record<string, unknown> {
  return withSideDb(t.relay.ctx.config.dbPath, (db) => JSON.parse((db.prepare("SELECT value FROM settings WHERE key = 'runtime'").get() as { value: string }).value));
}

describe('passwords at rest with safeStorage', () => {
  it('encrypts account and upstream sync passwords written through the API, and reads them back', async () => {
    const safeStorage = new FakeSafeStorage();
    const dataDir = tempDir();
    const t = await startTestRelay({}, { dataDir, secrets: createSafeStorageCodec(safeStorage) });
    try {
      const res = await t.api('/account', { method: 'POST', json: { id: 'smtp1', host: 'smtp.example.com', port: 587, user: 'u', password: 's3cret-pw' } });
      expect(res.status).toBe(200);
      const stored = rawAccountPassword(t, 'smtp1')!;
      expect(stored.startsWith(SAFE_STORAGE_PREFIX)).toBe(true);
      expect(stored).not.toContain('s3cret-pw');
      expect((await t.relay.store.accounts.get('', 'smtp1'))?.password).toBe('s3cret-pw');

      const patch = await t.api('/api/settings', { method: 'PATCH', json: { client_sync_password: 'sync-pw', client_sync_token: 'sync-token' } });
      expect(patch.status).toBe(200);
      const runtime = rawRuntimeSettings(t);
      expect(String(runtime.client_sync_password).startsWith(SAFE_STORAGE_PREFIX)).toBe(true);
      expect(JSON.stringify(runtime)).not.toContain('sync-pw');
      expect(JSON.stringify(runtime)).not.toContain('sync-token');
      expect(t.relay.ctx.settings.current().client_sync_password).toBe('sync-pw');
    } finally {
      await t.stop();
    }

    // a restart with the same keychain reads them
    const again = await startTestRelay({}, { dataDir, secrets: createSafeStorageCodec(safeStorage) });
    try {
      expect((await again.relay.store.accounts.get('', 'smtp1'))?.password).toBe('s3cret-pw');
      expect(again.relay.ctx.settings.current().client_sync_password).toBe('sync-pw');
      expect(again.relay.ctx.settings.current().client_sync_token).toBe('sync-token');
    } finally {
      await again.stop();
    }
  });

  it('reads values the headless relay stored as given', async () => {
    const dataDir = tempDir();
    const headless = await startTestRelay({}, { dataDir });
    await headless.api('/account', { method: 'POST', json: { id: 'plain', host: 'smtp.example.com', port: 25, password: 'plain-pw' } });
    await headless.api('/api/settings', { method: 'PATCH', json: { client_sync_password: 'plain-sync' } });
    expect(rawAccountPassword(headless, 'plain')).toBe('plain-pw');
    await headless.stop();

    const desktop = await startTestRelay({}, { dataDir, secrets: createSafeStorageCodec(new FakeSafeStorage()) });
    try {
      expect((await desktop.relay.store.accounts.get('', 'plain'))?.password).toBe('plain-pw');
      expect(desktop.relay.ctx.settings.current().client_sync_password).toBe('plain-sync');
    } finally {
      await desktop.stop();
    }
  });

  it('keeps secrets as given when no keychain is available, and says so once', () => {
    const safeStorage = new FakeSafeStorage();
    safeStorage.available = false;
    let warnings = 0;
    const codec = createSafeStorageCodec(safeStorage, { onUnavailable: () => warnings++ });
    expect(codec.encode('a')).toBe('a');
    expect(codec.encode('b')).toBe('b');
    expect(warnings).toBe(1);
  });

  it('treats Linux basic_text (a built-in key) as no keychain', () => {
    const safeStorage = new FakeSafeStorage();
    safeStorage.backend = 'basic_text';
    expect(createSafeStorageCodec(safeStorage).encode('pw')).toBe('pw');
    safeStorage.backend = 'kwallet6';
    expect(createSafeStorageCodec(safeStorage).encode('pw').startsWith(SAFE_STORAGE_PREFIX)).toBe(true);
  });

  it('an undecryptable value reads as empty and is reported', () => {
    const errors: unknown[] = [];
    const codec = createSafeStorageCodec(new FakeSafeStorage(), { onDecryptError: (e) => errors.push(e) });
    expect(codec.decode(`${SAFE_STORAGE_PREFIX}${Buffer.from('garbage').toString('base64')}`)).toBe('');
    expect(errors).toHaveLength(1);
    expect(codec.decode(codec.encode('round trip ✓'))).toBe('round trip ✓');
  });
});
