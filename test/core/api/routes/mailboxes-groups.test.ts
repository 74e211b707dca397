import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxList } from '../../../../src/shared/api/mailboxes.js';
import { tenantConfig } from '../../../support/store/tenants-contract.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** Tenant and tag mailboxes (#18.4) over a real relay and real SMTP. */
describe('mailboxes by tenant and by tag', () => {
  let t: TestRelay;

  beforeAll(async () => {
    t = await startTestRelay();
    // nothing queued here may be delivered into the sink behind the test's back
    await t.relay.ctx.settings.update({ paused: true });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
    try {
      await transport.sendMail({ from: 'a@example.com', to: 'b@example.org', subject: 'x-tags', text: 'x', headers: { 'X-Tags': 'Orders, eu' } });
      await transport.sendMail({ from: 'a@example.com', to: 'b+orders@example.org', subject: 'plus', text: 'x' });
      await transport.sendMail({ from: 'a@example.com', to: 'b@example.org', subject: 'untagged', text: 'x' });
    } finally {
      transport.close();
    }
    // a capture that came through the queue for tenant acme
    await t.relay.store.tenants.upsert('acme', tenantConfig(), 0);
    await t.relay.store.messages.enqueue(
      [{ id: 'q1', tenant_id: 'acme', from: 'a@example.com', to: ['c@example.org'], subject: 'queued', body: '', content_type: 'plain', priority: 2 }],
      0,
    );
    const seq = (await t.relay.store.messages.get({ tenant_id: 'acme', id: 'q1' }))!.seq;
    const untagged = (await t.relay.store.captured.list({ limit: 10 })).items.find((c) => c.subject === 'untagged')!;
    await t.relay.store.captured.linkMessage(untagged.id, seq);
  });
  afterAll(async () => {
    await t.stop();
  });

  const boxes = async () => (await (await t.api('/api/mailboxes')).json()) as MailboxList;
  const subjects = async (q: string) =>
    ((await (await t.api('/api/captured?q=' + encodeURIComponent(q))).json()) as { items: { subject: string }[] }).items.map((m) => m.subject).sort();

  it('lists tag mailboxes (X-Tags and plus-address tags) and tenant mailboxes, and the search filters by them', async () => {
    const l = await boxes();
    expect(l.tags).toEqual([
      { name: 'eu', total: 1, unread: 1 },
      { name: 'Orders', total: 2, unread: 2 },
    ]);
    expect(l.tenants).toEqual([{ name: 'acme', total: 1, unread: 1 }]);
    expect(await subjects('tag:orders')).toEqual(['plus', 'x-tags']);
    expect(await subjects('tenant:acme')).toEqual(['untagged']);
    expect(await subjects('-tag:orders')).toEqual(['untagged']);
  });

  it('deletes only the mail of a tag or tenant mailbox; a bad kind is a 400 naming it', async () => {
    const bad = await t.api('/api/mailboxes/eu?kind=folder', { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('kind');
    expect(await (await t.api('/api/mailboxes/EU?kind=tag', { method: 'DELETE' })).json()).toEqual({ ok: true, removed: 1 });
    expect(await subjects('')).toEqual(['plus', 'untagged']);
    expect(await (await t.api('/api/mailboxes/acme?kind=tenant', { method: 'DELETE' })).json()).toEqual({ ok: true, removed: 1 });
    expect(await subjects('')).toEqual(['plus']);
    expect(await boxes()).toMatchObject({ tenants: [], tags: [{ name: 'orders', total: 1, unread: 1 }] });
  });
});
