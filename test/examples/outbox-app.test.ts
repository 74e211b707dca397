import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/common/paths.js';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';
import { startTestRelay, TEST_TOKEN, type TestRelay } from '../support/relay/test-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp/smtp-target.js';

const run = promisify(execFile);
/** no __pycache__ left in examples/ */
const PY_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const APP = path.join(PROJECT_ROOT, 'examples', 'outbox-app', 'app.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython && process.env.CI) throw new Error('python3 is needed for the example application test');

interface Row {
  id: string;
  recipients: string;
  subject: string;
  attachment: string | null;
  state: 'new' | 'handed' | 'sent' | 'failed';
  error: string | null;
  sandbox: number;
}

/** examples/outbox-app (Python, standard library only) against a real relay in real delivery mode. */
describe.skipIf(!hasPython)('examples/outbox-app: an application with its own outbox', () => {
  let smtp: SmtpTarget;
  let t: TestRelay;
  let dir: string;
  let app: ReturnType<typeof spawn> | null = null;
  let appUrl = '';
  const py = async (...args: string[]) => (await run('python3', [APP, '--db', path.join(dir, 'outbox.db'), '--files', path.join(dir, 'files'), ...args], { cwd: dir, env: PY_ENV })).stdout;

  beforeAll(async () => {
    smtp = await startSmtpTarget({ rcpt: (address) => (address === 'bounce@example.com' ? { code: 550, message: '5.1.1 <bounce@example.com>: no such user' } : null) });
    t = await startTestRelay({ deliveryMode: 'real' });
    dir = tempDir('gmr-example-');
  });

  afterAll(async () => {
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app!.once('exit', resolve));
      app.kill('SIGTERM');
      await exited;
    }
    await t?.stop();
    await smtp?.close();
  });

  it('hands 20 mails to the relay, serves the attachment, and ends each outbox row sent or failed', { timeout: 90_000 }, async () => {
    await py('init');
    app = spawn('python3', [APP, '--db', path.join(dir, 'outbox.db'), '--files', path.join(dir, 'files'), 'serve', '--listen', '127.0.0.1:0', '--flush-interval', '0.5'], { cwd: dir, env: PY_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    app.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    app.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    appUrl = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 'the example to listen');
    await py('register', '--relay', t.url, '--admin-token', TEST_TOKEN, '--public-url', appUrl, '--smtp-host', smtp.host, '--smtp-port', String(smtp.port));

    const attachment = path.join(dir, 'invoice.txt');
    fs.writeFileSync(attachment, 'Invoice 42: 1,000.00 EUR\n');
    for (let i = 1; i <= 18; i++) await py('send', '--to', `user${i}@example.com`, '--subject', `Hello ${i}`, '--body', `Message ${i}`);
    const withAttachment = (await py('send', '--to', 'accounts@example.com', '--subject', 'Your invoice', '--body', 'Attached.', '--attach', attachment)).trim();
    const bounced = (await py('send', '--to', 'bounce@example.com', '--subject', 'Nobody home', '--body', 'This one is refused.')).trim();

    let last: Row[] = [];
    const allFinal = async () => {
      const r = (last = JSON.parse(await py('status', '--json')) as Row[]);
      return r.length === 20 && r.every((row) => row.state === 'sent' || row.state === 'failed') ? r : null;
    };
    const rows = await waitFor(allFinal, { what: 'every outbox row final', timeoutMs: 60_000 }).catch(async (err: Error) => {
      const states = last.map((r) => `${r.state}${r.error ? ` (${r.error})` : ''}`);
      throw new Error(`${err.message}\nrows: ${states.join(', ')}\nrelay: ${JSON.stringify(await t.relay.store.messages.countByState())}\nexample: ${out}`);
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(rows.filter((r) => r.state === 'sent')).toHaveLength(19);
    expect(byId.get(bounced)).toMatchObject({ state: 'failed' });
    expect(byId.get(bounced)!.error).toMatch(/550/);
    expect(byId.get(withAttachment)).toMatchObject({ state: 'sent', sandbox: 0, error: null });

    // the SMTP server got 19 mails, the invoice with the bytes the example served from its endpoint
    expect(smtp.messages).toHaveLength(19);
    const invoice = smtp.messages.find((m) => m.raw.includes('Your invoice'))!;
    expect(invoice.raw).toContain('invoice.txt');
    expect(invoice.raw).toContain(Buffer.from('Invoice 42: 1,000.00 EUR\n').toString('base64'));
    // and the relay has every outcome acknowledged by the example's proxy_sync answer
    await waitFor(async () => { const c = await t.relay.store.messages.countByState(); return c.sent + c.error === 20 && (await t.relay.store.messages.countUnreported()) === 0; }, 'all 20 reported');
  });

  it('refuses what the relay would never send: no auth, the report shape of the original example, paths outside its folder', async () => {
    expect(appUrl).not.toBe('');
    const db = new Database(path.join(dir, 'outbox.db'), { readonly: true });
    const { value: password } = db.prepare("SELECT value FROM settings WHERE key = 'sync_password'").get() as { value: string };
    db.close();
    const post = (p: string, body: unknown, auth = `Basic ${Buffer.from(`mailproxy:${password}`).toString('base64')}`) =>
      fetch(appUrl + p, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post('/proxy_sync', { delivery_report: [] }, 'Basic bWFpbHByb3h5Ondyb25n')).status).toBe(401);
    // genro-mail-proxy's example read {"reports": [...]} and silently did nothing: this one says so
    const wrongShape = await post('/proxy_sync', { reports: [{ id: 'x', status: 'sent' }] });
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toEqual({ error: 'delivery_report must be a list' });
    const unknown = await post('/proxy_sync', { delivery_report: [{ id: 'nobody', sent_ts: 1_700_000_000 }] });
    expect(await unknown.json()).toEqual({ not_found: ['nobody'], queued: 0 });
    for (const storage_path of ['files:../outbox.db', 'other:x', '']) expect((await post('/proxy_get_attachments', { storage_path })).status).toBe(storage_path ? 404 : 400);
  });
});
