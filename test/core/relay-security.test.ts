import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/config/load.js';
import { createRelay } from '../../src/core/relay.js';
import { KEY_FILE_PREFIX } from '../../src/core/secrets/key-file.js';
import { tempDir } from '../support/common/temp-dir.js';
import { testConfig, startTestRelay, type ConfigPatch } from '../support/relay/test-relay.js';
import { withSideDb } from '../support/sqlite/side-db.js';

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

/** A logger whose lines the test reads. */
function recordingLogger(): { logger: pino.Logger; lines: () => { msg: string; paths?: string[] }[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => out.map((l) => JSON.parse(l) as { msg: string; paths?: string[] }) };
}

describe('private files (#17.4)', () => {
  it.skipIf(process.platform === 'win32')('creates the data folder 0700 and the database, its WAL and SHM and the token 0600, whatever the umask', async () => {
    const dataDir = path.join(tempDir(), 'fresh');
    const previous = process.umask(0o022);
    try {
      const t = await startTestRelay({ apiToken: null }, { dataDir });
      await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525, password: 'pw' } });
      const db = t.relay.ctx.config.dbPath;
      expect(fs.existsSync(`${db}-wal`)).toBe(true);
      expect(modeOf(dataDir)).toBe(0o700);
      for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(dataDir, 'api-token')]) expect(modeOf(f), f).toBe(0o600);
      await t.stop();
    } finally {
      process.umask(previous);
    }
  });

  it.skipIf(process.platform === 'win32')("fixes an existing folder's modes on start, with a log line naming them", async () => {
    const dataDir = tempDir();
    const first = await startTestRelay({}, { dataDir });
    const db = first.relay.ctx.config.dbPath;
    await first.stop();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(db, 0o644);
    const { logger, lines } = recordingLogger();
    const relay = await createRelay({ config: testConfig(dataDir), logger });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(db)).toBe(0o600);
      const line = lines().find((l) => /readable by this user only/.test(l.msg));
      expect(line?.paths).toEqual(expect.arrayContaining([dataDir, db]));
    } finally {
      await relay.stop();
    }
  });
});

describe('[server] secrets_key_file (#17.4)', () => {
  const withKey = (dataDir: string): ConfigPatch => ({ secretsKeyFile: path.join(dataDir, 'secrets.key') });

  it('encrypts account, sync and tenant client_auth passwords at rest and reads them back after a restart', async () => {
    const dataDir = tempDir();
    const t = await startTestRelay(withKey(dataDir), { dataDir });
    const keyFile = path.join(dataDir, 'secrets.key');
    if (process.platform !== 'win32') expect(modeOf(keyFile)).toBe(0o600);
    await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525, user: 'u', password: 'smtp-hunter2' } });
    await t.api('/api/settings', { method: 'PATCH', json: { client_sync_password: 'sync-hunter2' } });
    await t.api('/tenant', { method: 'POST', json: { id: 'acme', client_auth: { method: 'basic', user: 'u', password: 'tenant-hunter2' } } });
    await t.stop();

    const db = t.relay.ctx.config.dbPath;
    const stored = withSideDb(db, (d) => ({
      account: (d.prepare(`SELECT password FROM accounts WHERE id = 'acc'`).get() as { password: string }).password,
      settings: (d.prepare(`SELECT value FROM settings WHERE key = 'runtime'`).get() as { value: string }).value,
      tenant: (d.prepare(`SELECT client_auth FROM tenants WHERE id = 'acme'`).get() as { client_auth: string }).client_auth,
    }));
    expect(stored.account.startsWith(KEY_FILE_PREFIX)).toBe(true);
    expect(JSON.stringify(stored)).not.toMatch(/hunter2/);

    const again = await startTestRelay(withKey(dataDir), { dataDir });
    try {
      expect((await again.relay.store.accounts.get('', 'acc'))?.password).toBe('smtp-hunter2');
      expect(again.relay.ctx.settings.current().client_sync_password).toBe('sync-hunter2');
      expect((await again.relay.store.tenants.get('acme'))?.client_auth).toMatchObject({ password: 'tenant-hunter2' });
    } finally {
      await again.stop();
    }
  });

  it('refuses to start with a key file that is not a 32-byte base64 key', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'secrets.key'), 'not a key\n');
    await expect(createRelay({ config: testConfig(dataDir, withKey(dataDir)), logger: pino({ level: 'silent' }) })).rejects.toThrow(/32 bytes in base64/);
  });
});

describe('the API token (#17.5)', () => {
  it('refuses a configured token shorter than 16 characters at start, naming the setting', async () => {
    await expect(createRelay({ config: testConfig(tempDir(), { apiToken: 'change-me' }), logger: pino({ level: 'silent' }) })).rejects.toThrow(ConfigError);
    await expect(createRelay({ config: testConfig(tempDir(), { apiToken: 'change-me' }), logger: pino({ level: 'silent' }) })).rejects.toThrow(
      /\[server\] api_token: the API token must be at least 16 characters, got 9/,
    );
  });
});
