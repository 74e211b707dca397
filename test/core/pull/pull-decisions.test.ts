import { describe, expect, it } from 'vitest';
import { ackVerdict, backoffMs, DEFAULT_PULL_TIMING, fetchAckOf, nextPoll, pullReport, servedId } from '../../../src/core/pull/pull-decisions.js';
import { pullDeliveryReport } from '../../../src/shared/api/pull.js';

const timing = { ...DEFAULT_PULL_TIMING, idleMs: 5000, backoffBaseMs: 1000, backoffMaxMs: 60_000 };

describe('nextPoll', () => {
  it('polls at once after a full batch, waits after a short one', () => {
    expect(nextPoll({ kind: 'fetched', count: 1000, limit: 1000 }, timing)).toEqual({ kind: 'now' });
    expect(nextPoll({ kind: 'fetched', count: 3, limit: 1000 }, timing)).toEqual({ kind: 'idle', ms: 5000 });
    expect(nextPoll({ kind: 'fetched', count: 0, limit: 1000 }, timing)).toEqual({ kind: 'idle', ms: 5000 });
  });

  it('backs off exponentially after failures, up to the cap', () => {
    expect([1, 2, 3, 4].map((failures) => nextPoll({ kind: 'failed', failures }, timing))).toEqual([
      { kind: 'backoff', ms: 1000 },
      { kind: 'backoff', ms: 2000 },
      { kind: 'backoff', ms: 4000 },
      { kind: 'backoff', ms: 8000 },
    ]);
    expect(backoffMs(7, timing)).toBe(60_000);
    expect(backoffMs(10_000, timing)).toBe(60_000);
  });
});

describe('ackVerdict', () => {
  it('2xx acknowledges; 404, 405 and 501 mean an application without acks; the rest is retried', () => {
    expect(ackVerdict(200, '')).toEqual({ kind: 'acked' });
    expect(ackVerdict(204, '')).toEqual({ kind: 'acked' });
    for (const s of [404, 405, 501]) expect(ackVerdict(s, 'x')).toEqual({ kind: 'unsupported' });
    expect(ackVerdict(500, 'HTTP 500')).toEqual({ kind: 'retry', reason: 'HTTP 500' });
    expect(ackVerdict(null, 'ECONNREFUSED')).toEqual({ kind: 'retry', reason: 'ECONNREFUSED' });
  });
});

describe('fetchAckOf', () => {
  it('accepts what was queued and what the relay already holds; rejects the rest with the reason', () => {
    const ack = fetchAckOf(['a', 'b', 'c', 'd', 'a', ''], {
      queued: 2,
      rejected: [
        { id: 'b', reason: 'missing from' },
        { id: 'c', reason: 'already sent' },
        { id: 'd', reason: 'already sending' },
        { id: '', reason: 'missing id' },
      ],
    });
    expect(ack).toEqual({ ok: true, queued: 2, accepted: ['a', 'c', 'd'], rejected: [{ id: 'b', reason: 'missing from' }] });
  });

  it('servedId reads a string id only', () => {
    expect(servedId({ id: 'x' })).toBe('x');
    expect([servedId({ id: 7 }), servedId(null), servedId('x'), servedId([])]).toEqual(['', '', '', '']);
  });
});

describe('pullReport', () => {
  const base = { id: 'm1', account_id: 'acc', priority: 2 as const, sent_ts: null, error_ts: null, error: null, deferred_ts: null };

  it('a sent message: status sent with an ISO timestamp, valid against the wire schema', () => {
    const r = pullReport({ ...base, sent_ts: 1_700_000_000 });
    expect(r).toEqual({ id: 'm1', status: 'sent', timestamp: '2023-11-14T22:13:20.000Z', sent_ts: 1_700_000_000, error_ts: null, account: 'acc' });
    expect(pullDeliveryReport.parse(r)).toEqual(r);
  });

  it('a failed one carries its error; a sandbox delivery says so', () => {
    expect(pullReport({ ...base, account_id: null, error_ts: 1_700_000_000, error: '550 no such user' })).toMatchObject({ status: 'error', error: '550 no such user', error_ts: 1_700_000_000 });
    expect(pullReport({ ...base, sent_ts: 1, sandbox: true })).toMatchObject({ sandbox: true });
  });

  it('nothing for an outcome that is not final', () => {
    expect(pullReport({ ...base, deferred_ts: 5 })).toBeNull();
  });
});
