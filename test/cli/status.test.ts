import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/status.js';
import { startTestRelay, TEST_TOKEN, type ConfigPatch, type TestRelay } from '../support/relay/test-relay.js';
import { waitFor } from '../support/common/wait.js';
import { closedPort } from '../support/common/ports.js';
import { tempDir } from '../support/common/temp-dir.js';

let relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays) await r.stop();
  relays = [];
});

async function relay(patch: ConfigPatch = {}) {
  const r = await startTestRelay(patch);
  relays.push(r);
  return r;
}

/** Queues a message and records a permanent failure for it, as the dispatcher would (through the store's ports). */
async function failMessage(r: TestRelay, id: string, error: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { id, account_id: 'acc', from: 'app@example.com', to: ['user@example.com'], subject: 's', body: 'b', content_type: 'plain', priority: 2 as const };
  await r.relay.store.transaction(async (tx) => {
    await tx.messages.enqueue([payload], now);
    const claimed = await tx.dispatch.claim({ now, leaseUntil: now + 60, limit: 1 });
    expect(claimed).toHaveLength(1);
    await tx.dispatch.markError([{ seq: claimed[0].seq, account_id: 'acc', error, detail: {}, started_ts: now }], now);
  });
}

/** Runs the command with a clean environment, capturing what it prints. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await statusCommand(args, { out: (s) => (out += s), err: (s) => (err += s), env: { GMP_DATA_DIR: tempDir(), ...env } });
  return { code, out, err };
}

describe('relay status', () => {
  it('prints the queue, accounts, reporting and errors of a healthy relay and exits 0', async () => {
    const r = await relay();
    const { code, out, err } = await run(['--url', r.url, '--token', TEST_TOKEN]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`Genro Mail Relay at ${r.url}: ok`);
    expect(out).toContain('mode sandbox, running');
    expect(out).toMatch(/queued 0 {2}deferred 0 {2}sending 0 {2}sent 0 {2}error 0\n/);
    expect(out).toContain('not configured (no client_sync_url)');
    expect(out).not.toContain('Problems');
    // a classic single-application relay looks as it always did
    expect(out).not.toContain('Tenants');
  });

  it("shows each tenant's report state with its sync URL, never a secret; a failing tenant is a problem (#14.6)", async () => {
    // the applications run on loopback: one acknowledges every sync, the other refuses connections
    const app = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.setHeader('Content-Type', 'application/json').end('{"ok":true}'));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      const okBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}/mp`;
      const downBase = `http://127.0.0.1:${await closedPort()}/mp`;
      const r = await relay();
      for (const [id, base] of [['acme', okBase], ['down', downBase]]) {
        const reg = await r.api('/tenant', {
          method: 'POST',
          json: { id, client_base_url: base, client_sync_path: '/proxy_sync', client_auth: { method: 'bearer', token: 'tok-secret' } },
        });
        expect(reg.status).toBe(200);
      }
      const json = await waitFor(async () => {
        const j = JSON.parse((await run(['--url', r.url, '--token', TEST_TOKEN, '--json'])).out) as { tenants: { state: string }[] };
        return j.tenants.every((t) => t.state !== 'never synced') ? j : null;
      }, 'both tenants synced once');
      expect(json.tenants).toMatchObject([
        { id: 'acme', active: true, sync_url: `${okBase}/proxy_sync`, state: 'ok', last_error: null, pending: 0 },
        { id: 'down', active: true, sync_url: `${downBase}/proxy_sync`, state: 'failing', last_ok_ts: null },
      ]);
      const { code, out } = await run(['--url', r.url, '--token', TEST_TOKEN]);
      expect(code).toBe(1);
      expect(out).toContain('Tenants (delivery reports per application)');
      expect(out).toContain(`  acme: ok  ${okBase}/proxy_sync  last sync `);
      expect(out).toContain(`  down: failing  ${downBase}/proxy_sync`);
      expect(out).toMatch(/tenant down: reporting to .* failing: /);
      expect(out).not.toContain('tok-secret');
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('reads the token from GMP_API_TOKEN or from the data directory, and prints JSON on request', async () => {
    const r = await relay();
    const fromEnv = await run(['--url', r.url, '--json'], { GMP_API_TOKEN: TEST_TOKEN });
    expect(fromEnv.code).toBe(0);
    const parsed = JSON.parse(fromEnv.out);
    expect(parsed).toMatchObject({ url: r.url, healthy: true, problems: [], paused: false, mode: 'sandbox' });
    expect(parsed.counts).toEqual({ queued: 0, deferred: 0, sending: 0, sent: 0, error: 0 });

    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'api-token'), `${TEST_TOKEN}\n`);
    const fromFile = await run(['--url', r.url, '--data-dir', dir]);
    expect(fromFile.code).toBe(0);
  });

  it('exits 2 when the token is missing or wrong', async () => {
    const r = await relay();
    const none = await run(['--url', r.url]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('unauthorized: no token given');
    const wrong = await run(['--url', r.url, '--token', 'wrong']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('refused the token');
  });

  it('exits 2 when the relay is unreachable or the arguments are wrong', async () => {
    const port = await closedPort();
    const down = await run(['--url', `http://127.0.0.1:${port}`, '--token', 'x']);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/relay unreachable at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['--url', 'ftp://x'])).code).toBe(2);
    expect((await run(['--timeout', '-1'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: relay status');
  });

  it('exits 2 when the relay does not answer in time', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => {});
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const res = await run(['--url', `http://127.0.0.1:${port}`, '--token', 'x', '--timeout', '0.3']);
      expect(res.code).toBe(2);
      expect(res.err).toContain('no answer within 0.3 s');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('exits 2 with one line naming the route and the field when an answer is out of contract', async () => {
    const r = await relay();
    const answers: Record<string, (real: unknown) => { status?: number; body: string }> = {
      '/api/stats': (real) => ({ body: JSON.stringify({ ...(real as object), counts: { queued: 'many' } }) }),
      '/api/settings': () => ({ body: '<html>not json</html>' }),
    };
    // a proxy in front of the real relay that spoils one answer at a time
    let spoil = '/api/stats';
    const proxy = http.createServer(async (req, res) => {
      const upstream = await fetch(r.url + req.url, { headers: { 'X-API-Token': String(req.headers['x-api-token'] ?? '') } });
      const path = (req.url ?? '').split('?')[0];
      const out = path === spoil ? answers[path](await upstream.json()) : { status: upstream.status, body: await upstream.text() };
      res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(out.body);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', () => done()));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const bad = await run(['--url', url, '--token', TEST_TOKEN]);
      expect(bad.code).toBe(2);
      expect(bad.out).toBe('');
      expect(bad.err).toMatch(new RegExp(`^unexpected answer from ${url}/api/stats: counts\\.queued: .+\\n$`));
      expect(bad.err.split('\n')).toHaveLength(2);
      spoil = '/api/settings';
      const notJson = await run(['--url', url, '--token', TEST_TOKEN]);
      expect(notJson.code).toBe(2);
      expect(notJson.err).toBe(`unexpected answer from ${url}/api/settings: the answer is not JSON\n`);
      spoil = '';
      expect((await run(['--url', url, '--token', TEST_TOKEN])).code).toBe(0);
    } finally {
      await new Promise<void>((done) => proxy.close(() => done()));
    }
  });

  it('exits 1 while paused', async () => {
    const r = await relay();
    expect((await r.api('/commands/suspend', { method: 'POST' })).status).toBe(200);
    const { code, out } = await run(['--url', r.url, '--token', TEST_TOKEN]);
    expect(code).toBe(1);
    expect(out).toContain('mode sandbox, paused');
    expect(out).toContain('- paused: dispatch and reporting are suspended');
  });

  it('exits 1 with the last errors listed while messages are in error', async () => {
    const r = await relay();
    await failMessage(r, 'bad-1', '550 5.1.1 user unknown (SMTP 550)');
    const { code, out } = await run(['--url', r.url, '--token', TEST_TOKEN]);
    expect(code).toBe(1);
    expect(out).toContain('error 1');
    expect(out).toMatch(/bad-1 {2}acc {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}550 5\.1\.1 user unknown \(SMTP 550\)/);
    expect(out).toContain('- 1 message(s) in error, not yet reported to the application');
  });

  it('keeps reported failures counted and listed as errors; only unreported ones are a problem (#20.1)', async () => {
    const r = await relay();
    await failMessage(r, 'told', '550 5.1.1 user unknown (SMTP 550)');
    await failMessage(r, 'untold', '552 mailbox full (SMTP 552)');
    const reportOf = async (id: string) => (await r.relay.store.reports.pending('', 10)).filter((p) => p.item.id === id);
    expect(await r.relay.store.reports.markReported(await reportOf('told'), Math.floor(Date.now() / 1000))).toBe(1);

    const before = await run(['--url', r.url, '--token', TEST_TOKEN]);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/sent 0 {2}error 2\n/);
    expect(before.out).toMatch(/told {2}acc {2}\S+ \S+ {2}\(reported\) {2}550 5\.1\.1 user unknown/);
    expect(before.out).toMatch(/untold {2}acc {2}\S+ \S+ {2}552 mailbox full/);
    expect(before.out).toContain('- 1 message(s) in error, not yet reported to the application');

    expect(await r.relay.store.reports.markReported(await reportOf('untold'), Math.floor(Date.now() / 1000))).toBe(1);
    const after = await run(['--url', r.url, '--token', TEST_TOKEN, '--json']);
    expect(after.code).toBe(0);
    const parsed = JSON.parse(after.out);
    expect(parsed.problems).toEqual([]);
    expect(parsed.counts).toMatchObject({ sent: 0, error: 2 });
    expect(parsed.errors.map((e: { id: string; reported: boolean }) => [e.id, e.reported])).toEqual([
      ['untold', true],
      ['told', true],
    ]);
  });

  it('exits 1 while reporting to the application fails, naming the error', async () => {
    const port = await closedPort();
    const r = await relay({ client: { url: `http://127.0.0.1:${port}/sync` } });
    await waitFor(async () => ((await (await r.api('/api/stats')).json()) as { report: { state: string } }).report.state === 'failing', 'failing sync');
    const { code, out } = await run(['--url', r.url, '--token', TEST_TOKEN]);
    expect(code).toBe(1);
    expect(out).toMatch(/- reporting to the application failing.*ECONNREFUSED/);
  });
});
