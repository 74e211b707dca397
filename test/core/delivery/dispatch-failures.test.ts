import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../../../src/core/events.js';
import { eventTypes, startDeliveryRelay, timelineDetail, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { trackedTargets } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';
import { closedPort } from '../../support/common/ports.js';
import { messageKey as key } from '../../../src/core/store/records.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('dispatch: retries and failures', () => {
  it('retries 4xx replies on the backoff schedule until the server accepts', async () => {
    const smtp = await target({ data: (_m, n) => (n <= 2 ? { code: 451, message: '4.3.0 Try again later' } : 'accept') });
    f = await startDeliveryRelay({ delivery: { retryDelays: [60, 300] } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    const attempts: AttemptOutcome[] = [];
    f.t.relay.ctx.bus.on('attempt', (a) => attempts.push(a));
    const t0 = f.now();
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);

    let m = await f.waitState('m', 'deferred');
    expect(m.retry_count).toBe(1);
    expect(m.deferred_reason).toBe('retry');
    expect(m.deferred_ts).toBe(t0 + 60);
    expect((await timelineDetail(f, 'm', 'deferred'))[0]).toMatchObject({ error: '4.3.0 Try again later (SMTP 451)', code: 451, account: 'acc' });

    f.advance(59);
    await f.settle();
    expect((await f.msg('m')).state).toBe('deferred');
    expect(f.nextWake()).toBeLessThanOrEqual(t0 + 60);
    f.advance(1);
    await waitFor(async () => (await f!.msg('m')).retry_count === 2, 'second failure');
    m = await f.msg('m');
    expect(m.deferred_ts).toBe(t0 + 60 + 300);

    f.advance(300);
    m = await f.waitState('m', 'sent');
    expect(m.attempts).toBe(3);
    expect(await eventTypes(f, 'm')).toEqual(['queued', 'attempt', 'deferred', 'due', 'attempt', 'deferred', 'due', 'attempt', 'sent']);
    await waitFor(() => attempts.length === 3, 'attempt events');
    expect(attempts.map((a) => a.outcome)).toEqual(['temporary', 'temporary', 'sent']);
    expect(attempts[0]).toMatchObject({ deferred: true, code: 451 });
  });

  it('gives up after maxRetries with the genro-mail-proxy wording', async () => {
    const smtp = await target({ data: () => ({ code: 452, message: '4.2.2 Mailbox full' }) });
    f = await startDeliveryRelay({ delivery: { retryDelays: [10], maxRetries: 2 } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    await waitFor(async () => (await f!.msg('m')).retry_count === 1, 'first retry');
    f.advance(10);
    await waitFor(async () => (await f!.msg('m')).retry_count === 2, 'second retry');
    f.advance(10);
    const m = await f.waitState('m', 'error');
    expect(m.error).toBe('Max retries (2) exceeded: 4.2.2 Mailbox full (SMTP 452)');
    expect(m.attempts).toBe(3);
    expect(smtp.attempts).toHaveLength(3);
  });

  it('gives up when the retry lifetime would be exceeded', async () => {
    const smtp = await target({ data: () => ({ code: 451, message: 'later' }) });
    f = await startDeliveryRelay({ delivery: { retryDelays: [100], maxRetries: 50, retryLifetimeSeconds: 250 } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    await waitFor(async () => (await f!.msg('m')).retry_count === 1, 'first retry');
    f.advance(100);
    await waitFor(async () => (await f!.msg('m')).retry_count === 2, 'second retry');
    f.advance(100);
    const m = await f.waitState('m', 'error');
    expect(m.error).toBe('Retry lifetime (250 s) exceeded: later (SMTP 451)');
  });

  it('fails a 5xx reply at once (permanent), with code and text', async () => {
    const smtp = await target({ data: () => ({ code: 550, message: '5.7.1 Message rejected as spam' }) });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    const m = await f.waitState('m', 'error');
    expect(m.error).toBe('5.7.1 Message rejected as spam (SMTP 550)');
    expect(m.retry_count).toBe(0);
    expect((await timelineDetail(f, 'm', 'error'))[0]).toMatchObject({ code: 550, account: 'acc' });
  });

  it('records partial recipient rejection per recipient and still sends to the others', async () => {
    const smtp = await target({ rcpt: (a) => (a.startsWith('nobody') ? { code: 550, message: '5.1.1 No such user' } : null) });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc', to: ['ok@example.com', 'nobody@example.com'], cc: ['cc@example.com'] }]);
    const m = await f.waitState('m', 'sent');
    expect(smtp.messages[0].to).toEqual(['ok@example.com', 'cc@example.com']);
    expect(m.recipients).toEqual([
      { address: 'ok@example.com', accepted: true },
      { address: 'cc@example.com', accepted: true },
      { address: 'nobody@example.com', accepted: false, code: 550, response: '550 5.1.1 No such user' },
    ]);
    expect((await timelineDetail(f, 'm', 'sent'))[0].rejected).toHaveLength(1);
  });

  it('fails when every recipient is rejected, listing each', async () => {
    const smtp = await target({ rcpt: () => ({ code: 550, message: '5.1.1 No such user' }) });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc', to: ['a@example.com', 'b@example.com'] }]);
    const m = await f.waitState('m', 'error');
    expect(m.error).toContain('All recipients were rejected');
    expect(m.error).toContain('a@example.com: 5.1.1 No such user (SMTP 550)');
    expect(m.recipients?.map((r) => [r.address, r.accepted, r.code])).toEqual([
      ['a@example.com', false, 550],
      ['b@example.com', false, 550],
    ]);
  });

  it('treats a connection drop in the middle of DATA as temporary', async () => {
    const smtp = await target({ data: (_m, n) => (n === 1 ? 'drop' : 'accept') });
    f = await startDeliveryRelay({ delivery: { retryDelays: [30] } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    const m = await f.waitState('m', 'deferred');
    expect(m.retry_count).toBe(1);
    expect(['retry', 'account_backoff']).toContain(m.deferred_reason);
    expect(smtp.messages).toHaveLength(0);
    f.advance(30);
    await f.waitState('m', 'sent');
    expect(smtp.messages).toHaveLength(1);
  });

  it('times out a server that hangs after DATA and retries later', async () => {
    const smtp = await target({ data: (_m, n) => (n === 1 ? 'hang' : 'accept') });
    f = await startDeliveryRelay({ delivery: { sendTimeoutMs: 600, retryDelays: [20] } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    const m = await f.waitState('m', 'deferred');
    expect((await timelineDetail(f, 'm', 'deferred'))[0].error).toMatch(/within 600 ms|timeout/i);
    expect(m.retry_count).toBe(1);
    f.advance(20);
    await f.waitState('m', 'sent');
  });

  it('backs off the whole account after a connection failure; other accounts keep flowing', async () => {
    const good = await target();
    const deadPort = await closedPort();
    f = await startDeliveryRelay({ delivery: { retryDelays: [60, 300] } });
    await f.addAccount({ id: 'dead', host: '127.0.0.1', port: deadPort, max_connections: 1 });
    await f.addAccount({ id: 'good', host: good.host, port: good.port });
    await f.enqueue([
      { id: 'd1', account_id: 'dead' },
      { id: 'd2', account_id: 'dead' },
      { id: 'd3', account_id: 'dead' },
      { id: 'g1', account_id: 'good' },
    ]);
    await f.waitState('g1', 'sent');
    const d1 = await f.waitState('d1', 'deferred');
    expect(d1.deferred_reason).toBe('account_backoff');
    expect(d1.retry_count).toBe(1);
    expect((await timelineDetail(f, 'd1', 'deferred'))[0].error).toMatch(/ECONNREFUSED|connect/i);
    const status = f.t.relay.dispatcher.accountStatus('', 'dead');
    expect(status.backoff_until).toBe(f.now() + 60);
    // the account's other messages wait in the queue without being attempted
    await f.settle();
    expect((await f.msg('d2')).state).toBe('queued');
    expect((await f.msg('d2')).attempts).toBe(0);
    await f.enqueue([{ id: 'g2', account_id: 'good' }]);
    await f.waitState('g2', 'sent');

    // the server comes back on the same port; after the backoff everything goes out
    const revived = await target();
    await f.addAccount({ id: 'dead', host: revived.host, port: revived.port, max_connections: 1 });
    f.advance(60);
    for (const id of ['d1', 'd2', 'd3']) await f.waitState(id, 'sent');
    expect(f.t.relay.dispatcher.accountStatus('', 'dead').backoff_until).toBeNull();
  });

  it('a server that closes a used connection with 421 (a cap on messages per connection) costs a reconnect, not a backoff', async () => {
    const perConnection = new Map<number, number>();
    const smtp = await target({
      data: (mail) => {
        const n = (perConnection.get(mail.connection) ?? 0) + 1;
        perConnection.set(mail.connection, n);
        return n > 2 ? { code: 421, message: 'Too many messages in this connection' } : 'accept';
      },
    });
    f = await startDeliveryRelay({ delivery: { retryDelays: [600] } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    await f.enqueue(Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, account_id: 'acc' })));
    for (let i = 0; i < 5; i++) await f.waitState(`c${i}`, 'sent');
    expect(smtp.messages.map((m) => m.connection)).toEqual([1, 1, 2, 2, 3]);
    expect(f.t.relay.dispatcher.accountStatus('', 'acc').backoff_until).toBeNull();
    expect(await eventTypes(f, 'c2')).toEqual(['queued', 'attempt', 'sent']);
    expect((await f.msg('c2')).attempts).toBe(1);
  });

  it('treats a 421 greeting as connection-level and temporary', async () => {
    const smtp = await target({ connect: (n) => (n === 1 ? { code: 421, message: 'Too busy, try later' } : null) });
    f = await startDeliveryRelay({ delivery: { retryDelays: [15] } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    const m = await f.waitState('m', 'deferred');
    expect(m.deferred_reason).toBe('account_backoff');
    expect((await timelineDetail(f, 'm', 'deferred'))[0]).toMatchObject({ code: 421 });
    f.advance(15);
    await f.waitState('m', 'sent');
  });

  it('fails over to the next account on a temporary or connection failure', async () => {
    const busy = await target({ data: () => ({ code: 451, message: 'greylisted' }) });
    const backup = await target();
    const deadPort = await closedPort();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'dead', host: '127.0.0.1', port: deadPort, fallbacks: ['busy', 'backup'] });
    await f.addAccount({ id: 'busy', host: busy.host, port: busy.port });
    await f.addAccount({ id: 'backup', host: backup.host, port: backup.port });
    await f.enqueue([{ id: 'm', account_id: 'dead' }]);
    const m = await f.waitState('m', 'sent');
    expect(m.attempts).toBe(1);
    expect(backup.messages).toHaveLength(1);
    expect(busy.attempts).toHaveLength(1);
    const sent = (await timelineDetail(f, 'm', 'sent'))[0];
    expect(sent.account).toBe('backup');
    expect((sent.failover as { account: string }[]).map((x) => x.account)).toEqual(['dead', 'busy']);
    expect((await f.t.relay.store.dispatch.rateWindowCounts('', 'backup', f.now())).minute).toBe(1);
  });

  it('does not fail over on a permanent failure', async () => {
    const rejecting = await target({ data: () => ({ code: 554, message: 'no' }) });
    const backup = await target();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'main', host: rejecting.host, port: rejecting.port, fallbacks: ['backup'] });
    await f.addAccount({ id: 'backup', host: backup.host, port: backup.port });
    await f.enqueue([{ id: 'm', account_id: 'main' }]);
    const m = await f.waitState('m', 'error');
    expect(m.error).toBe('no (SMTP 554)');
    expect(backup.attempts).toHaveLength(0);
  });

  it('reports a wrong password as an authentication error', async () => {
    const smtp = await target({ auth: { user: 'u', pass: 'right' } });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, user: 'u', password: 'wrong' });
    await f.addAccount({ id: 'ok', host: smtp.host, port: smtp.port, user: 'u', password: 'right' });
    await f.enqueue([{ id: 'bad', account_id: 'acc' }, { id: 'good', account_id: 'ok' }]);
    const m = await f.waitState('bad', 'error');
    expect(m.error).toMatch(/Authentication credentials invalid \(SMTP 535\)/);
    await f.waitState('good', 'sent');
  });

  it('retries by hand: a failed message goes back to the queue with a fresh budget', async () => {
    let reject = true;
    const smtp = await target({ data: () => (reject ? { code: 550, message: 'not now' } : 'accept') });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm', account_id: 'acc' }]);
    await f.waitState('m', 'error');
    reject = false;
    const r = await f.t.relay.store.messages.retry(key('m'), f.now());
    expect(r.status).toBe('ok');
    f.t.relay.dispatcher.wake();
    const m = await f.waitState('m', 'sent');
    expect(m.error).toBeNull();
    expect(await eventTypes(f, 'm')).toEqual(['queued', 'attempt', 'error', 'retry', 'attempt', 'sent']);
  });
});
