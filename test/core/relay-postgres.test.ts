import { PG_MIGRATIONS } from '../../src/core/store/postgres/migrations/index.js';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelay } from '../../src/core/relay.js';
import { silentLogger } from '../../src/core/logger.js';
import { closedPort } from '../support/common/ports.js';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';
import { startTestRelay, testConfig, type TestRelay } from '../support/relay/test-relay.js';
import { FakeUpstream } from '../support/report/upstream.js';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp/smtp-target.js';
import { pgTestsEnabled, usePgCluster } from '../support/store/postgres.js';

/** The composition root on PostgreSQL (`db_url`): a whole delivery run, and the faults at start. */
// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('a relay on PostgreSQL (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  let relay: TestRelay | null = null;
  let upstream: FakeUpstream | null = null;
  let smtp: SmtpTarget | null = null;
  afterEach(async () => {
    await relay?.stop();
    await upstream?.stop();
    await smtp?.close();
    relay = upstream = smtp = null;
  });

  describe('a relay on PostgreSQL', () => {
    it('accepts messages, delivers them to a loopback SMTP server and reports them, all in the database', async () => {
      const dbUrl = await cluster().createDatabase();
      smtp = await startSmtpTarget();
      upstream = await new FakeUpstream().start();
      relay = await startTestRelay({ dbUrl, deliveryMode: 'real', client: { url: upstream.url, token: 'app' } });
      const r = relay;
      expect(r.relay.store).toMatchObject({ backend: 'postgres' });
      expect((await r.api('/account', { method: 'POST', json: { id: 'pg-acc', host: '127.0.0.1', port: smtp.port, use_tls: false } })).status).toBe(200);
      const messages = ['a', 'b', 'c'].map((id) => ({ id, account_id: 'pg-acc', from: 'app@example.com', to: [`${id}@example.com`], subject: `pg ${id}`, body: 'hi' }));
      const added = await r.api('/commands/add-messages', { method: 'POST', json: { messages } });
      expect(await added.json()).toMatchObject({ ok: true, queued: 3, rejected: [] });

      await waitFor(() => new Set(upstream!.reportedIds()).size === 3, 'every outcome reported', 20_000);
      expect(smtp.messages.flatMap((m) => m.to).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
      for (const item of upstream.calls.flatMap((c) => c.items)) expect(item).toMatchObject({ account_id: 'pg-acc', error: null });
      await waitFor(async () => (await r.relay.store.messages.countByState()).reported === 3, 'marked reported');

      // the rows are PostgreSQL's: another connection sees them
      const side = new pg.Client({ connectionString: dbUrl });
      await side.connect();
      try {
        const { rows } = await side.query<{ id: string; state: string }>('SELECT id, state FROM messages ORDER BY id');
        expect(rows).toEqual(['a', 'b', 'c'].map((id) => ({ id, state: 'reported' })));
      } finally {
        await side.end();
      }
    });
  });

  describe('a relay on PostgreSQL: faults at start', () => {
    it('refuses to start when the database is down, naming the URL without its password', async () => {
      const port = await closedPort();
      const dbUrl = `postgres://relay:s3cret-pw@127.0.0.1:${port}/relay`;
      const start = createRelay({ logger: silentLogger(), config: testConfig(tempDir(), { dbUrl }) });
      const err = await start.then(() => null, (e: Error) => e);
      expect(err?.message).toContain(`postgres://relay:***@127.0.0.1:${port}/relay`);
      expect(err?.message).not.toContain('s3cret-pw');
    });

    it('refuses a database whose schema is newer than this relay, and leaves it untouched', async () => {
      const dbUrl = await cluster().createDatabase();
      relay = await startTestRelay({ dbUrl });
      await relay.stop();
      relay = null;
      const side = new pg.Client({ connectionString: dbUrl });
      await side.connect();
      try {
        await side.query(`INSERT INTO schema_version (version, name) VALUES (999, 'from the future')`);
        const start = createRelay({ logger: silentLogger(), config: testConfig(tempDir(), { dbUrl }) });
        await expect(start).rejects.toThrow(`the database schema is version 999, newer than this relay knows (${Math.max(...PG_MIGRATIONS.map((m) => m.version))})`);
        expect((await side.query('SELECT version FROM schema_version ORDER BY version')).rows).toEqual([...PG_MIGRATIONS.map((m) => ({ version: m.version })), { version: 999 }]);
      } finally {
        await side.end();
      }
    });
  });
});
