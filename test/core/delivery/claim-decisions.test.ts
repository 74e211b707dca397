import { describe, expect, it } from 'vitest';
import {
  bulkCaps,
  claimCap,
  decideClaimed,
  pickAccount,
  saturatedAccounts,
  sendCaps,
  type ClaimContext,
} from '../../../src/core/delivery/claim-decisions.js';
import { account, claimedRow, payloadOf, stateOf, type StateInput } from '../../support/delivery/records.js';

const NOW = 10_000;
const rateHit = (until: number) => ({ ok: false as const, until, window: 'minute' as const, limit: 5 });

function context(input: StateInput, over: Partial<ClaimContext> = {}): ClaimContext {
  return {
    sandboxMode: false,
    sandboxReady: true,
    state: stateOf(input),
    now: NOW,
    random: () => 0,
    retry: { retryDelays: [60, 300], maxRetries: 5, retryJitter: 0, retryLifetimeSeconds: 0 },
    ...over,
  };
}

describe('pickAccount', () => {
  const a = account('a');
  const b = account('b');
  const c = account('c');

  it('takes the first account of the route that can send', () => {
    expect(pickAccount([a, b], new Set(), stateOf({ accounts: [a, b] }), NOW)).toEqual({ kind: 'account', account: a });
  });

  it('skips accounts already tried, backing off or rate-limited', () => {
    const state = stateOf({ accounts: [a, b, c], backoff: { b: NOW + 30 }, rate: {} });
    expect(pickAccount([a, b, c], new Set(['a']), state, NOW)).toEqual({ kind: 'account', account: c });
    const limited = stateOf({ accounts: [a, b], rate: { a: rateHit(NOW + 20) } });
    expect(pickAccount([a, b], new Set(), limited, NOW)).toEqual({ kind: 'account', account: b });
  });

  it('prefers an account with a free claim slot, and takes a busy one when no other will do', () => {
    expect(pickAccount([a, b], new Set(), stateOf({ accounts: [a, b], free: { a: 0 } }), NOW)).toEqual({ kind: 'account', account: b });
    expect(pickAccount([a, b], new Set(), stateOf({ accounts: [a, b], free: { a: 0, b: -1 } }), NOW)).toEqual({ kind: 'account', account: a });
  });

  it('says when the earliest rate slot and the earliest backoff end when none can take it', () => {
    const state = stateOf({
      accounts: [a, b, c],
      rate: { a: rateHit(NOW + 50), b: rateHit(NOW + 20) },
      backoff: { c: NOW + 90 },
    });
    expect(pickAccount([a, b, c], new Set(), state, NOW)).toEqual({
      kind: 'none',
      rate: { account: b, until: NOW + 20, window: 'minute', limit: 5 },
      backoffUntil: NOW + 90,
    });
    expect(pickAccount([a], new Set(['a']), state, NOW)).toEqual({ kind: 'none', rate: null, backoffUntil: null });
  });

  it('ignores a backoff that has ended', () => {
    expect(pickAccount([a], new Set(), stateOf({ accounts: [a], backoff: { a: NOW } }), NOW)).toEqual({ kind: 'account', account: a });
  });
});

describe('decideClaimed', () => {
  const acc = account('acc', { fallbacks: ['spare'] });
  const spare = account('spare');

  it('fails a row whose stored payload is not JSON', () => {
    expect(decideClaimed(claimedRow('m', { payload: '{oops' }), context({ accounts: [acc] }))).toEqual({
      kind: 'fail',
      account: null,
      error: 'Stored payload is not valid JSON',
      outcome: 'build_error',
    });
  });

  it('sends to the sandbox in sandbox mode, or holds the message while no sink listens', () => {
    const row = claimedRow('m');
    expect(decideClaimed(row, context({ accounts: [acc] }, { sandboxMode: true }))).toEqual({ kind: 'sandbox', payload: payloadOf('m') });
    expect(decideClaimed(row, context({ accounts: [acc] }, { sandboxMode: true, sandboxReady: false }))).toEqual({ kind: 'hold' });
  });

  it('limits rehearsal: a sandbox send takes its account (and route) as real delivery would', () => {
    const row = claimedRow('m', { account_id: 'acc' });
    const on = { sandboxMode: true, rehearseLimits: true };
    expect(decideClaimed(row, context({ accounts: [acc, spare] }, on))).toEqual({ kind: 'sandbox', payload: payloadOf('m'), via: acc });
    // rate-limited primary: its fallback, as real delivery would
    const primaryLimited = { accounts: [acc, spare], rate: { acc: rateHit(NOW + 30) } };
    expect(decideClaimed(row, context(primaryLimited, on))).toEqual({ kind: 'sandbox', payload: payloadOf('m'), via: spare });
    const allLimited = { accounts: [acc, spare], rate: { acc: rateHit(NOW + 30), spare: rateHit(NOW + 40) } };
    expect(decideClaimed(row, context(allLimited, on))).toEqual({ kind: 'rate_limited', account: acc, window: 'minute', limit: 5 });
    // off: limits skipped
    expect(decideClaimed(row, context(allLimited, { sandboxMode: true }))).toEqual({ kind: 'sandbox', payload: payloadOf('m') });
    // no sink: held, rehearsal or not
    expect(decideClaimed(row, context(allLimited, { ...on, sandboxReady: false }))).toEqual({ kind: 'hold' });
  });

  it('limits rehearsal: limit_behavior "error" fails the message; an unconfigured account is captured without limits', () => {
    const strict = account('acc', { limit_behavior: 'error' });
    const row = claimedRow('m', { account_id: 'acc' });
    const limited = { accounts: [strict], rate: { acc: rateHit(NOW + 30) } };
    expect(decideClaimed(row, context(limited, { sandboxMode: true, rehearseLimits: true }))).toEqual({
      kind: 'fail',
      account: 'acc',
      error: "Rate limit exceeded: 5 per minute for account 'acc'",
      outcome: 'rate_limited',
    });
    expect(decideClaimed(claimedRow('m', { account_id: 'nope' }), context(limited, { sandboxMode: true, rehearseLimits: true }))).toEqual({
      kind: 'sandbox',
      payload: payloadOf('m'),
    });
  });

  it('delivers a released captured message through its account even in sandbox mode', () => {
    const row = claimedRow('m', { source_captured_id: 7 });
    expect(decideClaimed(row, context({ accounts: [acc, spare] }, { sandboxMode: true }))).toMatchObject({ kind: 'send', via: acc });
  });

  it('fails a message whose account does not exist; a message without one goes through "default"', () => {
    expect(decideClaimed(claimedRow('m', { account_id: 'ghost' }), context({ accounts: [acc] }))).toEqual({
      kind: 'fail',
      account: null,
      error: 'Missing SMTP account configuration',
      outcome: 'permanent',
    });
    const def = account('default');
    expect(decideClaimed(claimedRow('m', { account_id: null }), context({ accounts: [def] }))).toMatchObject({ kind: 'send', via: def });
  });

  it('sends through the first account that can take it, with the whole route for failover', () => {
    const decision = decideClaimed(claimedRow('m'), context({ accounts: [acc, spare], backoff: { acc: NOW + 60 } }));
    expect(decision).toEqual({ kind: 'send', payload: payloadOf('m'), route: [acc, spare], via: spare });
  });

  it('waits for the next rate slot, or fails at once when the account says limit_behavior "error"', () => {
    const state = { accounts: [acc], rate: { acc: rateHit(NOW + 40) } };
    expect(decideClaimed(claimedRow('m'), context(state))).toEqual({ kind: 'rate_limited', account: acc, window: 'minute', limit: 5 });
    const strict = account('acc', { limit_behavior: 'error' });
    expect(decideClaimed(claimedRow('m'), context({ accounts: [strict], rate: { acc: rateHit(NOW + 40) } }))).toEqual({
      kind: 'fail',
      account: 'acc',
      error: "Rate limit exceeded: 5 per minute for account 'acc'",
      outcome: 'rate_limited',
    });
  });

  it('waits for the end of the backoff when every account of the route backs off', () => {
    const state = { accounts: [acc, spare], backoff: { acc: NOW + 60, spare: NOW + 30 }, backoffError: { acc: 'connect ECONNREFUSED' } };
    expect(decideClaimed(claimedRow('m'), context(state))).toEqual({
      kind: 'backoff',
      account: 'acc',
      until: NOW + 30,
      error: 'connect ECONNREFUSED',
    });
  });

  it('draws the first account by weight with the injected randomness', () => {
    const w = account('w', { weight: 1, fallbacks: ['heavy'] });
    const heavy = account('heavy', { weight: 3 });
    const state = { accounts: [w, heavy] };
    expect(decideClaimed(claimedRow('m', { account_id: 'w' }), context(state, { random: () => 0.1 }))).toMatchObject({ via: w });
    expect(decideClaimed(claimedRow('m', { account_id: 'w' }), context(state, { random: () => 0.9 }))).toMatchObject({ via: heavy });
  });
});

describe('claim caps', () => {
  const a = account('a', { fallbacks: ['b'] });
  const b = account('b');

  it('an account may take as many as the first usable account of its group has claim slots left', () => {
    expect(claimCap({ tenant_id: '', id: 'a' }, stateOf({ accounts: [a, b], free: { a: 4, b: 6 } }), NOW, new Set(), 200)).toBe(4);
    expect(claimCap({ tenant_id: '', id: 'a' }, stateOf({ accounts: [a, b], free: { a: 4, b: 6 }, backoff: { a: NOW + 9 } }), NOW, new Set(), 200)).toBe(6);
    expect(claimCap({ tenant_id: '', id: 'a' }, stateOf({ accounts: [a, b], free: { a: -2 } }), NOW, new Set(), 200)).toBe(0);
  });

  it('with weights, any account of the group may take them: the free slots add up', () => {
    const w = account('a', { weight: 1, fallbacks: ['b'] });
    expect(claimCap({ tenant_id: '', id: 'a' }, stateOf({ accounts: [w, b], free: { a: 4, b: 6 } }), NOW, new Set(), 200)).toBe(10);
  });

  it('nothing for a saturated account; the batch for an unknown one (it fails at once)', () => {
    expect(claimCap({ tenant_id: '', id: 'a' }, stateOf({ accounts: [a, b] }), NOW, new Set(['a']), 200)).toBe(0);
    expect(claimCap({ tenant_id: '', id: 'ghost' }, stateOf({ accounts: [a, b] }), NOW, new Set(), 200)).toBe(200);
  });

  it('an account is saturated when rate limits stop its whole group (backoffs alone do not)', () => {
    const limited = { ok: false as const, until: NOW + 5, window: 'hour' as const, limit: 1 };
    expect(saturatedAccounts(stateOf({ accounts: [a, b], rate: { a: limited, b: limited } }), NOW)).toEqual(new Set(['a', 'b']));
    expect(saturatedAccounts(stateOf({ accounts: [a, b], rate: { a: limited } }), NOW)).toEqual(new Set());
    expect(saturatedAccounts(stateOf({ accounts: [a, b], rate: { a: limited }, backoff: { b: NOW + 5 } }), NOW)).toEqual(new Set(['a']));
    expect(saturatedAccounts(stateOf({ accounts: [a, b], backoff: { a: NOW + 5, b: NOW + 5 } }), NOW)).toEqual(new Set());
  });

  it('the send claim gives every known account its cap, messages without one the "default" cap', () => {
    const def = account('default');
    const caps = sendCaps(stateOf({ accounts: [a, b, def], free: { a: 2, b: 5, default: 1 } }), NOW, new Set(['b']), 200);
    expect(caps).toEqual({ perAccount: new Map([['a', 2], ['b', 0], ['default', 1]]), noAccount: 1, otherAccounts: 200 });
    expect(sendCaps(stateOf({ accounts: [a] }), NOW, new Set(), 200).noAccount).toBe(200);
  });

  it('the bulk claim takes only the messages of saturated accounts', () => {
    expect(bulkCaps(new Set(['a', 'default']), 500)).toEqual({
      perAccount: new Map([['a', 500], ['default', 500]]),
      noAccount: 500,
      otherAccounts: 0,
    });
    expect(bulkCaps(new Set(['a']), 500).noAccount).toBe(0);
  });
});
