import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStreamReader } from '../../support/api/event-stream.js';
import { waitFor } from '../../support/common/wait.js';
import { liveEvents, startPgRelays, stopAll } from '../../support/postgres/relays.js';
import type { TestRelay } from '../../support/relay/test-relay.js';
import { FakeUpstream } from '../../support/report/upstream.js';
import { startSmtpTarget, type SmtpTarget } from '../../support/smtp/smtp-target.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';
import { decodeNotice, NOTIFY_CHANNEL, type Notice } from '../../../src/core/store/postgres/notify.js';
import { openPostgresStore, type PostgresStore } from '../../../src/core/store/postgres/store.js';
import { capturedFixture } from '../../support/captured/captured-fixture.js';
import { NOW, payload } from '../../support/store/fixtures.js';

/** the advisory locks of store/postgres/session-locks.ts held now */
const HELD = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = x'676d7232'::int AND granted";

const message = (id: string, account_id = 'acc') => ({ id, account_id, from: 'app@example.com', to: [`${id}@example.com`], subject: `subject ${id}`, body: 'hi' });

/** Several relays on one database (issue #19, items 4-6): wakes, settings, captured mail and live events cross relays. */
describe.skipIf(!pgTestsEnabled())('relays sharing a PostgreSQL database (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  let relays: TestRelay[] = [];
  let streams: EventStreamReader[] = [];
  let smtp: SmtpTarget | null = null;
  let upstream: FakeUpstream | null = null;
  let side: PostgresStore[] = [];
  afterEach(async () => {
    for (const s of streams) s.close();
    await stopAll(relays);
    await Promise.allSettled(side.map((s) => s.close()));
    await smtp?.close();
    await upstream?.stop();
    relays = [];
    streams = [];
    side = [];
    smtp = null;
    upstream = null;
  });

  const sideStore = async (url: string) => {
    const s = await openPostgresStore({ url });
    side.push(s);
    return s;
  };
  const stream = async (r: TestRelay) => {
    const s = await liveEvents(r);
    streams.push(s);
    return s;
  };

  it('wakes dispatch on another relay when one accepts work, without polling', async () => {
    smtp = await startSmtpTarget();
    relays = await startPgRelays(await cluster().createDatabase(), 2, { deliveryMode: 'real' });
    const [a] = relays;
    // A only accepts: its engine is stopped, and B's has no timer armed (nothing due): only a notice wakes B
    await a.relay.dispatcher.stop();
    expect((await a.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: smtp.port, use_tls: false } })).status).toBe(200);
    expect(await (await a.api('/commands/add-messages', { method: 'POST', json: { messages: [message('w1'), message('w2')] } })).json()).toMatchObject({ queued: 2 });
    await waitFor(() => smtp!.messages.length === 2, 'relay B to send what relay A accepted');
    expect(smtp.messages.flatMap((m) => m.to).sort()).toEqual(['w1@example.com', 'w2@example.com']);
  });

  it('shares settings: a pause, a resume and a mode switch on one relay apply on the others', async () => {
    relays = await startPgRelays(await cluster().createDatabase(), 3);
    const [a, b, c] = relays;
    const bEvents = await stream(b);
    expect((await a.api('/commands/suspend', { method: 'POST' })).status).toBe(200);
    await waitFor(() => b.relay.services.settings.current().paused && c.relay.services.settings.current().paused, 'B and C paused');
    await waitFor(() => bEvents.of('settings').some((s) => (s as { paused: boolean }).paused), 'B to announce the pause live');
    expect(await (await b.api('/status')).json()).toMatchObject({ active: false });

    expect((await c.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'real', report_interval_seconds: 77 } })).status).toBe(200);
    await waitFor(() => a.relay.services.settings.current().report_interval_seconds === 77, 'A to follow C');
    expect(a.relay.services.settings.current()).toMatchObject({ delivery_mode: 'real', paused: true });
    expect(await (await b.api('/api/settings')).json()).toMatchObject({ delivery_mode: 'real', report_interval_seconds: 77, paused: true });

    expect((await b.api('/commands/activate', { method: 'POST' })).status).toBe(200);
    await waitFor(() => !a.relay.services.settings.current().paused && !c.relay.services.settings.current().paused, 'A and C resumed');
  });

  it('dispatches on another relay what waited while paused, once a relay resumes', async () => {
    smtp = await startSmtpTarget();
    relays = await startPgRelays(await cluster().createDatabase(), 2, { deliveryMode: 'real' });
    const [a, b] = relays;
    await b.relay.dispatcher.stop();
    expect((await b.api('/commands/suspend', { method: 'POST' })).status).toBe(200);
    await waitFor(() => a.relay.services.settings.current().paused, 'A paused');
    expect((await b.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: smtp.port, use_tls: false } })).status).toBe(200);
    expect((await b.api('/commands/add-messages', { method: 'POST', json: { messages: [message('p1')] } })).status).toBe(200);
    await a.relay.dispatcher.pumpIdle();
    expect(smtp.messages).toHaveLength(0);
    expect((await b.api('/commands/activate', { method: 'POST' })).status).toBe(200);
    await waitFor(() => smtp!.messages.length === 1, 'A to send once B resumed');
  });

  it('shows a capture on one relay in the live events and /api/captured of another within a second or two', async () => {
    relays = await startPgRelays(await cluster().createDatabase(), 2, { deliveryMode: 'sandbox' });
    const [a, b] = relays;
    const aEvents = await stream(a);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: b.relay.addresses().smtp.port, ignoreTLS: true });
    await transport.sendMail({ from: 'x@example.com', to: 'y@example.com', subject: 'captured by B', text: 'hello' });
    transport.close();
    const sent = Date.now();
    const frame = (await waitFor(
      () => aEvents.of('captured').find((f) => (f as { subject?: string }).subject === 'captured by B'),
      'A to announce what B captured',
      2_000,
    )) as { id: number };
    const latencyMs = Date.now() - sent;
    const page = (await (await a.api('/api/captured')).json()) as { items: { id: number; subject: string }[] };
    expect(page.items).toContainEqual(expect.objectContaining({ id: frame.id, subject: 'captured by B' }));
    expect(latencyMs).toBeLessThan(2_000);

    // a deletion on A shows live on B; A's own metrics did not count B's capture
    const bEvents = await stream(b);
    expect((await a.api(`/api/captured/${frame.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await waitFor(() => bEvents.of('captured').some((f) => JSON.stringify(f) === JSON.stringify({ type: 'deleted', ids: [frame.id] })), 'B to announce the deletion');
    expect(await (await a.api('/metrics')).text()).not.toMatch(/^gmp_sink_accepted_total(\{[^}]*\})? [1-9]/m);
  });

  it('streams the timeline rows a relay commits to the live events of every other relay', async () => {
    relays = await startPgRelays(await cluster().createDatabase(), 3);
    const [a, b, c] = relays;
    const [bEvents, cEvents] = [await stream(b), await stream(c)];
    expect((await a.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 9, use_tls: false } })).status).toBe(200);
    expect((await a.api('/commands/add-messages', { method: 'POST', json: { messages: [message('t1')] } })).status).toBe(200);
    const queued = (s: EventStreamReader) => s.of('messages').some((f) => Array.isArray(f) && f.some((e: { message_id: string; type: string }) => e.message_id === 't1' && e.type === 'queued'));
    await waitFor(() => queued(bEvents) && queued(cEvents), 'B and C to stream A’s queued row');
    await waitFor(() => bEvents.of('accounts').some((f) => JSON.stringify(f) === JSON.stringify({ ids: ['acc'] })), 'B to announce A’s account');
  });

  it('reports each outcome once: one relay at a time holds a destination', async () => {
    upstream = await new FakeUpstream().start();
    let active = 0;
    let most = 0;
    upstream.onCall = async () => {
      most = Math.max(most, ++active);
      await new Promise((resolve) => setTimeout(resolve, 150));
      active--;
    };
    relays = await startPgRelays(await cluster().createDatabase(), 2, { deliveryMode: 'sandbox', client: { url: upstream.url, token: 'app' } });
    const [a, b] = relays;
    const ids = Array.from({ length: 30 }, (_, i) => `r${i}`);
    expect((await a.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 9, use_tls: false } })).status).toBe(200);
    for (const [i, r] of [a, b, a].entries()) {
      const batch = ids.slice(i * 10, i * 10 + 10).map((id) => message(id));
      expect((await r.api('/commands/add-messages', { method: 'POST', json: { messages: batch } })).status).toBe(200);
    }
    await waitFor(() => new Set(upstream!.reportedIds()).size === ids.length, 'every outcome reported', 30_000);
    expect(most).toBe(1);
    expect(upstream.reportedIds().sort()).toEqual([...ids].sort());
  });

  it('names the writing store in the notices of its commits and of the database triggers, so a relay ignores its own', async () => {
    const url = await cluster().createDatabase();
    const writer = await sideStore(url);
    const listener = new pg.Client({ connectionString: url });
    const notices: Notice[] = [];
    listener.on('notification', (n) => notices.push(decodeNotice(n.payload)!));
    await listener.connect();
    try {
      await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
      const [c] = await writer.captured.insertMany([{ m: capturedFixture(1), raw: Buffer.from('x') }]);
      await writer.settings.set('k', 1);
      await writer.messages.enqueue([payload('n1')], NOW);
      await waitFor(() => notices.length >= 3, 'three notices');
      expect(notices).toEqual([{ o: writer.origin, c: [c.id] }, { o: writer.origin, s: 1 }, { o: writer.origin, m: [expect.any(Number)], wd: 1 }]);
    } finally {
      await listener.end();
    }
  });

  it('frees a destination when the relay holding it goes (its session ends)', async () => {
    const url = await cluster().createDatabase();
    const [one, two] = [await sideStore(url), await sideStore(url)];
    let release!: () => void;
    const holding = one.exclusive.runExclusive('report:', () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await waitFor(async () => (await admin.query(HELD)).rowCount === 1, 'one to hold the lock');
      expect(await two.exclusive.runExclusive('report:', async () => 'x')).toEqual({ ran: false, reason: 'held elsewhere' });
      // another name is free
      expect(await two.exclusive.runExclusive('report:t1', async () => 'x')).toEqual({ ran: true, value: 'x' });
      const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM (${HELD}) held`);
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await waitFor(async () => (await two.exclusive.runExclusive('report:', async () => 'x')).ran, 'the lock freed with its session');
    release();
    expect(await holding).toEqual({ ran: true, value: 'done' });
  });

  it('runs retention on one relay at a time', async () => {
    const url = await cluster().createDatabase();
    relays = await startPgRelays(url, 1);
    const [a] = relays;
    const other = await sideStore(url);
    let release!: () => void;
    const holding = other.exclusive.runExclusive('retention', () => new Promise<void>((resolve) => (release = resolve)));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await waitFor(async () => (await admin.query(HELD)).rowCount === 1, 'the other relay to hold retention');
      // a timeline row whose message is long gone: the orphan sweep deletes it
      await admin.query("INSERT INTO message_events (tenant_id, message_id, ts, type, state) VALUES ('', 'ghost', 1, 'queued', 'queued')");
      expect(await a.relay.reporter.runRetention()).toEqual({ reported: 0, unreported: 0, send_log: 0, orphan_events: 0 });
      expect((await admin.query("SELECT 1 FROM message_events WHERE message_id = 'ghost'")).rowCount).toBe(1);
      release();
      await holding;
      await a.relay.reporter.runRetention();
      expect((await admin.query("SELECT 1 FROM message_events WHERE message_id = 'ghost'")).rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
