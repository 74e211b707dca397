import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSec } from '../../../../src/core/clock.js';
import type { MessageRecord } from '../../../../src/core/messages/types.js';
import { accountWithDefaults } from '../../../../src/core/store/records.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { waitFor } from '../../../support/common/wait.js';
import { startSmtpTarget, type SmtpTarget } from '../../../support/smtp/smtp-target.js';
import { messageKey as key } from '../../../../src/core/store/records.js';

type ErrorBody = { error: { code: string; message: string; fields?: { field: string; message: string }[] } };

describe('POST /api/send and POST /api/captured/{id}/release', () => {
  let t: TestRelay;
  // the provider that real delivery goes to
  let target: SmtpTarget;

  beforeAll(async () => {
    target = await startSmtpTarget();
    t = await startTestRelay();
    await t.relay.store.accounts.upsert(accountWithDefaults({ id: 'provider', host: '127.0.0.1', port: target.port, use_tls: false }), nowSec(t.relay.ctx.clock));
  });
  afterAll(async () => {
    await t.stop();
    await target.close();
  });

  const post = async <T>(p: string, json: unknown, headers?: Record<string, string>) => {
    const res = await t.api(p, { method: 'POST', json, headers });
    return { status: res.status, body: (await res.json()) as T };
  };
  const message = async (id: string): Promise<MessageRecord> => (await t.relay.store.messages.get(key(id)))!;

  it('validates the body and names the offending fields', async () => {
    const base = { from: 'app@example.com', to: ['user@example.org'], subject: 'hi', body_text: 'x' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, from: undefined }, 'from'],
      [{ ...base, from: 'not an address' }, 'from'],
      [{ ...base, to: [] }, 'to'],
      [{ ...base, to: ['ok@example.org', 'bad'] }, 'to.1'],
      [{ ...base, subject: 'a\r\nBcc: victim@example.org' }, 'subject'],
      [{ ...base, subject: '' }, 'subject'],
      [{ ...base, reply_to: 'x@example.org\nBcc: y@example.org' }, 'reply_to'],
      [{ ...base, body_text: undefined }, 'body_text'],
      [{ ...base, headers: { 'X-Test': 'a\r\nb' } }, 'headers.X-Test'],
      [{ ...base, headers: { 'Bad Name': 'a' } }, 'headers.Bad Name'],
      [{ ...base, attachments: [{ filename: 'a.txt' }] }, 'attachments.0'],
      [{ ...base, attachments: [{ content: '!!notbase64!!' }] }, 'attachments.0.content'],
      [{ ...base, account_id: 'nope' }, 'account_id'],
    ];
    for (const [body, field] of cases) {
      const r = await post<ErrorBody>('/api/send', body);
      expect(r.status, field).toBe(422);
      expect(r.body.error.code).toBe('validation_error');
      expect(r.body.error.fields?.map((f) => f.field), field).toContain(field);
    }
    expect((await post<ErrorBody>('/api/send?wait=soon', base)).status).toBe(422);
    const notJson = await t.api('/api/send', { method: 'POST', body: '{"from":', headers: { 'Content-Type': 'application/json' } });
    expect(notJson.status).toBe(400);
  });

  it('queues at immediate priority and answers 202 with the id', async () => {
    const r = await post<{ id: string; state: string }>(
      '/api/send',
      { from: 'App <app@example.com>', to: 'user@example.org', cc: ['c@example.org'], subject: 'queued', body_text: 'text', body_html: '<b>html</b>', reply_to: 'help@example.com' },
      { Authorization: `Bearer ${t.token}` },
    );
    expect(r.status).toBe(202);
    expect(r.body.id).toMatch(/^send-/);
    expect(['queued', 'sending', 'sent']).toContain(r.body.state);
    const m = await message(r.body.id);
    expect(m.priority).toBe(0);
    expect(m.payload).toMatchObject({ from: 'App <app@example.com>', to: ['user@example.org'], cc: ['c@example.org'], body: '<b>html</b>', body_text: 'text', content_type: 'html', reply_to: 'help@example.com' });
  });

  it('waits for the outcome with ?wait= and links the sandbox capture', async () => {
    const r = await post<{ id: string; state: string; sandbox: boolean; captured_id: number }>('/api/send?wait=20', {
      from: 'app@example.com',
      to: ['user@example.org'],
      subject: 'waited',
      body_text: 'plain part',
      body_html: '<p>html part</p>',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'sent', sandbox: true });
    const captured = (await t.relay.store.captured.get(r.body.captured_id))!;
    expect(captured).toMatchObject({ subject: 'waited', relay_message_id: r.body.id, rcpt_to: ['user@example.org'] });
    const detail = (await (await t.api(`/api/captured/${captured.id}`)).json()) as { text: string; html: string };
    expect(detail.text.trim()).toBe('plain part');
    expect(detail.html).toContain('<p>html part</p>');
    const timeline = await t.relay.store.messages.timeline(key(r.body.id), null);
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['queued', 'sent', 'captured']));

    const again = await post<ErrorBody>('/api/send', { id: r.body.id, from: 'app@example.com', to: ['u@example.org'], subject: 's', body_text: 'x' });
    expect(again.status).toBe(409);
  });

  it('answers 202 when the outcome is not known within the wait', async () => {
    await t.relay.ctx.settings.update({ paused: true });
    try {
      const r = await post<{ id: string; state: string }>('/api/send?wait=1', { from: 'app@example.com', to: ['u@example.org'], subject: 'paused', body_text: 'x' });
      expect(r.status).toBe(202);
      expect(r.body.state).toBe('queued');
    } finally {
      await t.relay.ctx.settings.update({ paused: false });
    }
  });

  it('refuses a send without account in real mode', async () => {
    await t.relay.ctx.settings.update({ delivery_mode: 'real' });
    try {
      const r = await post<ErrorBody>('/api/send', { from: 'app@example.com', to: ['u@example.org'], subject: 's', body_text: 'x' });
      expect(r.status).toBe(422);
      expect(r.body.error.fields?.[0].field).toBe('account_id');
    } finally {
      await t.relay.ctx.settings.update({ delivery_mode: 'sandbox' });
    }
  });

  it('release: 404 for unknown captured mail or account, 422 for a bad body', async () => {
    const sent = await post<{ captured_id: number }>('/api/send?wait=20', { from: 'app@example.com', to: ['u@example.org'], subject: 'r', body_text: 'x' });
    const id = sent.body.captured_id;
    expect((await post<ErrorBody>('/api/captured/999999/release', { account_id: 'provider' })).status).toBe(404);
    const noAccount = await post<ErrorBody>(`/api/captured/${id}/release`, { account_id: 'missing' });
    expect(noAccount.status).toBe(404);
    expect(noAccount.body.error.message).toContain("account 'missing'");
    const bad = await post<ErrorBody>(`/api/captured/${id}/release`, {});
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields?.[0].field).toBe('account_id');
    expect((await post<ErrorBody>(`/api/captured/${id}/release`, { account_id: 'provider', to: ['bad address'] })).status).toBe(422);
  });

  it('release queues the captured bytes for real delivery, even in sandbox mode', async () => {
    const sent = await post<{ id: string; captured_id: number }>('/api/send?wait=20', {
      from: 'app@example.com',
      to: ['first@example.org', 'second@example.org'],
      subject: 'release me',
      body_text: 'the body',
      body_html: '<p>the body</p>',
    });
    const capturedId = sent.body.captured_id;
    const raw = (await t.relay.store.captured.raw(capturedId))!;
    expect(t.relay.ctx.settings.current().delivery_mode).toBe('sandbox');

    const r = await post<{ id: string; state: string; captured_id: number; account_id: string; to: string[] }>(`/api/captured/${capturedId}/release`, {
      account_id: 'provider',
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ captured_id: capturedId, account_id: 'provider', to: ['first@example.org', 'second@example.org'] });
    expect(r.body.id).toMatch(new RegExp(`^release-${capturedId}-`));
    const queued = await message(r.body.id);
    expect(queued).toMatchObject({ source_captured_id: capturedId, account_id: 'provider' });
    expect(queued.payload).toMatchObject({ from: 'app@example.com', to: ['first@example.org', 'second@example.org'], subject: 'release me' });

    const done = await waitFor(async () => ((await message(r.body.id)).state === 'sent' ? message(r.body.id) : null), 'released message sent', 20_000);
    expect(done.sandbox).toBe(false);
    const got = await waitFor(() => target.messages.find((m) => m.raw.includes('release me')), 'delivery at the target');
    expect(got.from).toBe('app@example.com');
    expect(got.to).toEqual(['first@example.org', 'second@example.org']);
    expect(got.bytes.equals(raw)).toBe(true);

    // other recipients on request
    const r2 = await post<{ id: string }>(`/api/captured/${capturedId}/release`, { account_id: 'provider', to: ['qa@example.org'], priority: 'low' });
    expect(r2.status).toBe(202);
    expect((await message(r2.body.id)).priority).toBe(3);
    await waitFor(() => target.messages.find((m) => m.to.length === 1 && m.to[0] === 'qa@example.org'), 'delivery to the override');
  });

  it('sandbox mode end to end: add-messages to captured, linked both ways', async () => {
    const res = await t.api('/commands/add-messages', {
      method: 'POST',
      json: {
        messages: [
          { id: 'e2e-1', account_id: 'provider', from: 'app@example.com', to: ['u1@example.org'], subject: 'e2e one', body: '<p>one</p>', content_type: 'html' },
          { id: 'e2e-2', account_id: 'provider', from: 'app@example.com', to: 'u2@example.org', subject: 'e2e two', body: 'two' },
        ],
      },
    });
    expect(res.status).toBe(200);
    for (const [id, subject] of [
      ['e2e-1', 'e2e one'],
      ['e2e-2', 'e2e two'],
    ]) {
      const m = await waitFor(async () => {
        const q = await message(id);
        return q.state === 'sent' && q.captured_id ? q : null;
      }, `${id} captured`, 20_000);
      expect(m.sandbox).toBe(true);
      const c = (await t.relay.store.captured.get(m.captured_id!))!;
      expect(c).toMatchObject({ subject, relay_message_id: id });
      const list = (await (await t.api(`/api/captured?q=${encodeURIComponent(`subject:"${subject}"`)}`)).json()) as { items: { id: number }[] };
      expect(list.items.map((i) => i.id)).toEqual([c.id]);
    }
    expect(target.messages.some((m) => m.raw.includes('e2e one'))).toBe(false);
  });
});
