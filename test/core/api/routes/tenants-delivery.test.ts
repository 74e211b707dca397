import { afterEach, describe, expect, it } from 'vitest';
import { messageKey as key, type MessageKey } from '../../../../src/core/store/records.js';
import type { MessageState } from '../../../../src/core/messages/types.js';
import { waitFor } from '../../../support/common/wait.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { trackedTargets } from '../../../support/smtp/smtp-target.js';

const target = trackedTargets();
let t: TestRelay | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

async function call(token: string, method: string, path: string, json?: unknown) {
  const r = await fetch(t!.url + path, {
    method,
    headers: { 'X-API-Token': token, ...(json === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Registers the tenant and its account `acc` on the SMTP server at `port`; resolves to its key. */
async function tenantWithAccount(id: string, port: number): Promise<string> {
  const reg = await call(t!.token, 'POST', '/tenant', { id });
  const apiKey = reg.body.api_key as string;
  expect((await call(apiKey, 'POST', '/account', { id: 'acc', tenant_id: id, host: '127.0.0.1', port, use_tls: false })).status).toBe(200);
  return apiKey;
}

const mail = (id: string, subject: string, extra: Record<string, unknown> = {}) => ({
  id,
  account_id: 'acc',
  from: 'app@example.com',
  to: ['rcpt@example.com'],
  subject,
  body: `body of ${subject}`,
  ...extra,
});

async function stateOf(k: MessageKey): Promise<MessageState | undefined> {
  return (await t!.relay.store.messages.get(k))?.state;
}

const waitSent = (k: MessageKey) => waitFor(async () => (await stateOf(k)) === 'sent', `${k.tenant_id}/${k.id} sent`, 15_000);

describe('tenants end to end: real SMTP on loopback', () => {
  it('delivers the same message id of two tenants through each tenant\'s own account "acc"', async () => {
    const [smtpA, smtpB] = [await target(), await target()];
    t = await startTestRelay({ deliveryMode: 'real' });
    const keyA = await tenantWithAccount('a', smtpA.port);
    const keyB = await tenantWithAccount('b', smtpB.port);
    expect((await call(keyA, 'POST', '/commands/add-messages?tenant_id=a', { messages: [mail('m1', 'from tenant a')] })).body).toEqual({ ok: true, queued: 1, rejected: [] });
    expect((await call(keyB, 'POST', '/commands/add-messages', { messages: [mail('m1', 'from tenant b', { tenant_id: 'b' })] })).body).toEqual({ ok: true, queued: 1, rejected: [] });
    await waitSent(key('m1', 'a'));
    await waitSent(key('m1', 'b'));
    expect(smtpA.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]?.trim())).toEqual(['from tenant a']);
    expect(smtpB.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]?.trim())).toEqual(['from tenant b']);

    const listed = await call(keyA, 'GET', '/messages?tenant_id=a');
    expect((listed.body.messages as { id: string; tenant_id: string; sent_ts?: number }[]).map((m) => [m.tenant_id, m.id, typeof m.sent_ts])).toEqual([['a', 'm1', 'number']]);
    // each tenant's sent id is its own: a is refused, the default tenant may still use it
    expect((await call(keyA, 'POST', '/commands/add-messages', { messages: [mail('m1', 'again')] })).body).toEqual({
      ok: true,
      queued: 0,
      rejected: [{ id: 'm1', reason: 'already sent' }],
    });
  });

  it('dispatch leaves a suspended batch, and everything under *, until activate', async () => {
    const smtp = await target();
    t = await startTestRelay({ deliveryMode: 'real' });
    const k = await tenantWithAccount('s', smtp.port);
    expect((await call(k, 'POST', '/commands/suspend?batch_code=hold', undefined)).body).toMatchObject({ suspended_batches: ['hold'] });
    await call(k, 'POST', '/commands/add-messages', { messages: [mail('held-1', 'held', { batch_code: 'hold' }), mail('free-1', 'free', { batch_code: 'go' }), mail('plain-1', 'plain')] });
    await waitSent(key('free-1', 's'));
    await waitSent(key('plain-1', 's'));
    expect(await stateOf(key('held-1', 's'))).toBe('queued');

    expect((await call(k, 'POST', '/commands/activate?batch_code=hold')).body).toEqual({ ok: true, tenant_id: 's', batch_code: 'hold', suspended_batches: [], pending_messages: 1 });
    await waitSent(key('held-1', 's'));

    expect((await call(k, 'POST', '/commands/suspend')).body).toMatchObject({ suspended_batches: ['*'] });
    await call(k, 'POST', '/commands/add-messages', { messages: [mail('star-1', 'star'), mail('star-2', 'star', { batch_code: 'go' })] });
    // the default tenant goes on meanwhile: its message is sent while the tenant's wait
    await call(t.token, 'POST', '/account', { id: 'acc', host: '127.0.0.1', port: smtp.port, use_tls: false });
    await call(t.token, 'POST', '/commands/add-messages', { messages: [mail('default-1', 'default')] });
    await waitSent(key('default-1'));
    expect([await stateOf(key('star-1', 's')), await stateOf(key('star-2', 's'))]).toEqual(['queued', 'queued']);
    await call(k, 'POST', '/commands/activate');
    await waitSent(key('star-1', 's'));
    await waitSent(key('star-2', 's'));
    expect(smtp.messages).toHaveLength(6);
  });
});
