import { describe, expect, it } from 'vitest';
import { AttachmentError } from '../../../src/core/delivery/attachments.js';
import type { Delivery } from '../../../src/core/delivery/delivery.js';
import {
  afterFailure,
  backoffDeferral,
  buildFailure,
  claimFailure,
  errorOutcome,
  failureOf,
  isFinal,
  rateLimitDeferral,
  released,
  sentOutcome,
  temporaryOutcome,
} from '../../../src/core/delivery/outcomes.js';
import type { SentInfo } from '../../../src/core/delivery/transports.js';
import { account, accountDelivery, claimedRow, deliveryOf } from '../../support/delivery/records.js';

const NOW = 2000;
const retry = { retryDelays: [60, 300], maxRetries: 2, retryJitter: 0, retryLifetimeSeconds: 0 };

/** A delivery whose send started at `startedTs` (claimed at 1000, created at 1000). */
function sending(d: Delivery, startedTs = 1500): Delivery {
  d.phase = { name: 'sending', connection: d.target.kind === 'account' ? d.target.via.id : '', startedTs, attempt: null };
  return d;
}

function info(over: Partial<SentInfo>): SentInfo {
  return { envelope: { from: 'a@example.com', to: ['b@example.com'] }, messageId: '<x@example.com>', accepted: [], rejected: [], pending: [], response: '250 ok', ...over } as SentInfo;
}

describe('outcomes of a send', () => {
  it('sent through an account: the send log account, the response, the failover path', () => {
    const [a, b] = [account('a'), account('b')];
    const d = sending(accountDelivery('m', [a, b], { via: b }));
    if (d.target.kind === 'account') d.target.failover.push({ account: 'a', error: 'greylisted' });
    expect(sentOutcome(d, info({ response: '250 queued' }), NOW)).toEqual({
      kind: 'sent',
      sent: {
        seq: 1,
        tenant_id: '',
        account_id: 'acc',
        via_account: 'b',
        sandbox: false,
        captured_id: null,
        smtp_message_id: '<x@example.com>',
        recipients: null,
        started_ts: 1500,
        detail: { account: 'b', response: '250 queued', failover: [{ account: 'a', error: 'greylisted' }] },
      },
      attempt: { message_id: 'm', account_id: 'b', outcome: 'sent', latency_seconds: 1000, attempt_seconds: 1000, sandbox: false },
    });
  });

  it('sent to the sandbox sink: the captured id it answered with, no account', () => {
    const o = sentOutcome(sending(deliveryOf('m', { kind: 'sandbox' })), info({ response: '250 Ok: captured as 42' }), NOW);
    expect(o).toMatchObject({ kind: 'sent', sent: { via_account: null, sandbox: true, captured_id: 42, detail: { response: '250 Ok: captured as 42' } } });
    expect(o.kind === 'sent' && o.attempt.account_id).toBe('acc');
  });

  it('sent with some recipients refused: one result per recipient', () => {
    const d = sending(accountDelivery('m', [account('a')]));
    const o = sentOutcome(
      d,
      info({
        accepted: ['ok@example.com'],
        rejected: ['no@example.com'],
        rejectedErrors: [Object.assign(new Error('x'), { recipient: 'no@example.com', responseCode: 550, response: '550 no such user' })],
      }),
      NOW,
    );
    const rejected = { address: 'no@example.com', accepted: false, code: 550, response: '550 no such user' };
    expect(o).toMatchObject({ sent: { recipients: [{ address: 'ok@example.com', accepted: true }, rejected], detail: { rejected: [rejected] } } });
  });

  it('a permanent failure: error row with code and recipients, and its announcement', () => {
    const d = sending(accountDelivery('m', [account('a')]));
    const failure = { kind: 'permanent' as const, scope: 'message' as const, code: 550, text: 'no (SMTP 550)' };
    expect(errorOutcome(d, failure, 'permanent', NOW)).toEqual({
      kind: 'error',
      error: { seq: 1, account_id: 'acc', error: 'no (SMTP 550)', recipients: null, started_ts: 1500, detail: { account: 'a', code: 550 } },
      attempt: { message_id: 'm', account_id: 'a', outcome: 'permanent', latency_seconds: 1000, attempt_seconds: 1000, code: 550, sandbox: false },
    });
  });

  it('a message that could not be built fails with the reason its builder gave', () => {
    const d = sending(accountDelivery('m', [account('a')]));
    expect(buildFailure(d, new AttachmentError('attachment 1: HTTP 404'), NOW)).toMatchObject({
      kind: 'error',
      error: { error: 'attachment 1: HTTP 404' },
      attempt: { outcome: 'build_error' },
    });
    expect(buildFailure(d, new Error('boom'), NOW)).toMatchObject({ error: { error: 'Message could not be built: boom' } });
  });

  it('a temporary failure is retried on the schedule', () => {
    const d = sending(accountDelivery('m', [account('a')], { row: { retry_count: 1 } }));
    const failure = { kind: 'temporary' as const, scope: 'message' as const, code: 451, text: 'later (SMTP 451)' };
    expect(temporaryOutcome(d, failure, NOW, retry, () => 0.5, null)).toEqual({
      kind: 'deferred',
      defer: {
        seq: 1,
        account_id: 'acc',
        until: NOW + 300,
        reason: 'retry',
        retry_count: 2,
        started_ts: 1500,
        detail: { error: 'later (SMTP 451)', code: 451, account: 'a' },
      },
      attempt: { message_id: 'm', account_id: 'a', outcome: 'temporary', attempt_seconds: 1000, code: 451, sandbox: false, deferred: true },
    });
  });

  it('a connection failure waits for the account backoff if it ends later than the retry', () => {
    const d = sending(accountDelivery('m', [account('a')]));
    const failure = { kind: 'temporary' as const, scope: 'connection' as const, text: 'connect ECONNREFUSED' };
    expect(temporaryOutcome(d, failure, NOW, retry, Math.random, NOW + 900)).toMatchObject({
      defer: { reason: 'account_backoff', until: NOW + 900 },
    });
    expect(temporaryOutcome(d, failure, NOW, retry, Math.random, NOW + 10)).toMatchObject({ defer: { until: NOW + 60 } });
  });

  it('a temporary failure with the retries used up fails for good, as genro-mail-proxy words it', () => {
    const d = sending(accountDelivery('m', [account('a')], { row: { retry_count: 2 } }));
    const failure = { kind: 'temporary' as const, scope: 'message' as const, code: 452, text: 'full (SMTP 452)' };
    expect(temporaryOutcome(d, failure, NOW, retry, Math.random, null)).toMatchObject({
      kind: 'error',
      error: { error: 'Max retries (2) exceeded: full (SMTP 452)' },
      attempt: { outcome: 'temporary' },
    });
  });

  it('released messages go back to the queue; only sent and error are final', () => {
    expect(released('paused')).toEqual({ kind: 'released', reason: 'paused' });
    expect(isFinal(released('shutdown'))).toBe(false);
    const d = sending(accountDelivery('m', [account('a')]));
    expect(isFinal(sentOutcome(d, info({}), NOW))).toBe(true);
    expect(isFinal(errorOutcome(d, { kind: 'permanent', scope: 'message', text: 'x' }, 'permanent', NOW))).toBe(true);
    expect(isFinal(temporaryOutcome(d, { kind: 'temporary', scope: 'message', text: 'x' }, NOW, retry, Math.random, null))).toBe(false);
  });
});

describe('outcomes decided at claim time', () => {
  const row = claimedRow('m', { created_ts: 1900 });

  it('a failure without an attempt', () => {
    expect(claimFailure(row, 'acc', "Rate limit exceeded: 1 per minute for account 'acc'", 'rate_limited', NOW)).toEqual({
      error: { seq: 1, account_id: 'acc', error: "Rate limit exceeded: 1 per minute for account 'acc'", detail: { account: 'acc' } },
      attempt: { message_id: 'm', account_id: 'acc', outcome: 'rate_limited', latency_seconds: 100 },
    });
    expect(claimFailure(row, null, 'Missing SMTP account configuration', 'permanent', NOW).error.detail).toEqual({});
  });

  it('a wait for a rate slot, and a wait for a backoff to end (not announced)', () => {
    expect(rateLimitDeferral(row, 'acc', NOW + 60, 'minute', 2)).toEqual({
      defer: { seq: 1, account_id: 'acc', until: NOW + 60, reason: 'rate_limited', detail: { account: 'acc', window: 'minute', limit: 2 } },
      attempt: { message_id: 'm', account_id: 'acc', outcome: 'rate_limited', deferred: true },
    });
    expect(backoffDeferral(row, 'acc', NOW + 30, 'refused')).toEqual({
      seq: 1,
      account_id: 'acc',
      until: NOW + 30,
      reason: 'account_backoff',
      detail: { account: 'acc', error: 'refused' },
    });
  });
});

describe('what an SMTP failure means', () => {
  const closed421 = failureOf({ code: 'EENVELOPE', responseCode: 421, response: '421 too many', command: 'MAIL FROM' }, null);

  it('a timed-out attempt is a temporary failure of the message', () => {
    expect(failureOf(new Error('aborted'), 600)).toEqual({ kind: 'temporary', scope: 'message', text: 'No answer from the server within 600 ms' });
  });

  it('a 421 on a used connection is worth one reconnect, then the usual path', () => {
    expect(afterFailure(closed421, { sandbox: false, reconnected: false })).toEqual({ kind: 'reconnect' });
    expect(afterFailure(closed421, { sandbox: false, reconnected: true })).toEqual({ kind: 'end', backOff: true, failover: true, permanent: false });
  });

  it('connection failures back the account off; temporary ones fail over; permanent ones end it', () => {
    const refused = failureOf({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, null);
    expect(afterFailure(refused, { sandbox: false, reconnected: false })).toEqual({ kind: 'end', backOff: true, failover: true, permanent: false });
    const rejected = failureOf({ code: 'EMESSAGE', responseCode: 554, response: '554 no', command: 'DATA' }, null);
    expect(afterFailure(rejected, { sandbox: false, reconnected: false })).toEqual({ kind: 'end', backOff: false, failover: false, permanent: true });
  });

  it('the sandbox has no account to back off and no route to fail over along', () => {
    const refused = failureOf({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, null);
    expect(afterFailure(refused, { sandbox: true, reconnected: false })).toEqual({ kind: 'end', backOff: false, failover: false, permanent: false });
    expect(afterFailure(closed421, { sandbox: true, reconnected: false })).toMatchObject({ kind: 'end' });
  });
});
