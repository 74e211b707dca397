import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { startGenropySession, type GenropySession } from '../support/genropy/relay-session.js';

let s: GenropySession | null = null;
afterEach(async () => {
  await s?.stop();
  s = null;
});

const PDF = Buffer.from('%PDF-1.4 offer \u0000\u00ff');

async function attachmentsOf(raw: string): Promise<Record<string, Buffer>> {
  const parsed = await simpleParser(raw);
  return Object.fromEntries(parsed.attachments.map((a) => [a.filename ?? '', a.content]));
}

describe("a whole Genropy session against the relay (today's client, issue #14)", () => {
  it('register, accounts, mail with attachments, deferred, rejected batch, 1,000 messages, outage, cleanup, unregister', async () => {
    s = await startGenropySession({ delivery: { maxConcurrency: 20, maxPerAccount: 10 } });
    const { f } = s;
    const app = await s.app('acme');
    expect(await app.health()).toBe(true);
    expect(await app.register()).toMatchObject({ ok: true, synced: 1, failed: 0 });
    // the new tenant's loop syncs without /commands/activate, with the password of this Register
    await app.waitFor(() => app.counters.syncs >= 1, { what: 'first proxy_sync' });
    expect(app.log.find('in', '/proxy_sync')[0].headers.authorization).toBe(app.basicAuth());

    // an attachment by reference and a deferred message: one commit, one run-now, pushed inside the sync
    const offer = app.storage.put('home:docs/offer.pdf', PDF);
    const [withFile, later] = await app.queueMails([
      { account_id: 'acc', to: 'Ann <ann@example.org>', subject: 'Offer', attachments: [offer.storage_path] },
      { account_id: 'acc', to: 'bob@example.org', subject: 'Reminder', deferred_ts: app.nowSec() + 3600 },
    ]);
    await app.waitFor(() => app.outbox.get(withFile)?.status === 'sent', { what: 'the offer sent and reported' });
    expect((await attachmentsOf(s.smtp.messages[0].raw))['offer.pdf'].equals(PDF)).toBe(true);
    expect(app.log.find('in', '/proxy_get_attachments')[0]).toMatchObject({ status: 200, headers: { authorization: app.basicAuth() } });
    expect(app.outbox.get(later)?.status).toBe('at_proxy');
    expect(await s.relayMessage('acme', later)).toMatchObject({ state: 'deferred', deferred_ts: app.nowSec() + 3600 });

    // a batch the relay rejects whole: Genropy records the reasons and never sends it again
    const rejected = await app.queueMails([1, 2].map((n) => ({ account_id: 'nope', from: 'app@acme.example.org', to: `r${n}@example.org`, subject: `r${n}` })));
    await app.waitFor(() => rejected.every((id) => app.outbox.get(id)?.status === 'error'), { what: 'rejected batch recorded' });
    expect(rejected.map((id) => app.outbox.get(id)?.error_msg)).toEqual([expect.stringMatching(/account/), expect.stringMatching(/account/)]);

    // 1,000 messages of ~13 KB HTML in one add-messages call, pushed inside one proxy_sync
    const html = `<html><body>${'<p>Newsletter paragraph with some words.</p>'.repeat(300)}</body></html>`;
    const batch = await app.queueMails(
      Array.from({ length: 1000 }, (_, n) => ({ account_id: 'acc', to: `user${n}@example.org`, subject: `News ${n}`, body: html, html: true, batch_code: 'news-2026-08' })),
    );
    const push = await app.waitFor(() => app.log.find('out', '/commands/add-messages').find((e) => e.request.bytes > 13_000_000 && e.status !== null), {
      what: 'the 1,000-message push answered',
      timeoutMs: 60_000,
    });
    console.log(`add-messages with 1,000 messages (${(push.request.bytes / 1e6).toFixed(1)} MB) answered in ${push.durationMs} ms`);
    expect(push).toMatchObject({ status: 200, timeoutS: 60, response: { json: { ok: true, queued: 1000, rejected: [] } } });
    await app.waitFor(() => batch.every((id) => app.outbox.get(id)?.status === 'sent'), { what: '1,000 messages sent and reported', timeoutMs: 150_000 });
    const pushedTwice = app.log
      .find('out', '/commands/add-messages')
      .flatMap((e) => ((e.request.json as { messages: { id: string }[] }).messages ?? []).map((m) => m.id))
      .filter((id) => rejected.includes(id));
    expect(pushedTwice).toEqual(rejected);

    // an attachment outage (503) that recovers: the relay retries on its schedule, the message ends sent
    const flyer = app.storage.put('home:docs/flyer.pdf', Buffer.from('%PDF flyer'));
    app.faults.attachments = { mode: 'unavailable', times: 1 };
    const retried = await app.queueMail({ account_id: 'acc', to: 'carl@example.org', subject: 'Flyer', attachments: [flyer.storage_path] });
    await app.waitFor(async () => (await s!.relayMessage('acme', retried))?.state === 'deferred', { what: 'deferred after the 503' });
    expect(app.counters.attachmentFaults).toBe(1);
    f.advance(61);
    await app.waitFor(() => app.outbox.get(retried)?.status === 'sent', { what: 'sent once the endpoint recovered' });

    // the deferred message goes when its time comes
    f.advance(3600);
    await app.waitFor(() => app.outbox.get(later)?.status === 'sent', { what: 'the deferred message sent' });
    expect(app.counters).toMatchObject({ syncAuthFailures: 0, syncFailures: 0, maxConcurrentSyncs: 1 });

    // dashboard, cleanup, unregister
    const board = (await app.dashboard()) as unknown as { messages: { messages: unknown[] } };
    expect(board.messages.messages.length).toBeGreaterThanOrEqual(1003);
    f.advance(2);
    const cleaned = (await app.cleanup()) as { ok: boolean; removed: number };
    expect(cleaned.ok).toBe(true);
    expect(cleaned.removed).toBeGreaterThanOrEqual(1003);
    expect(await app.unregister()).toEqual({ ok: true, message: 'Tenant "acme" unregistered' });
    await app.waitFor(() => f.t.relay.reporter.status().tenants?.length === 0, { what: 'the loop stopped' });
    expect(await s.relayMessage('acme', later)).toBeNull();
  }, 240_000);
});
