import { describe, expect, it } from 'vitest';
import { DeliveryLedger, RoundQueue } from '../../../src/core/delivery/delivery.js';
import { RateLimiter } from '../../../src/core/delivery/rate-limiter.js';
import { account, accountDelivery, deliveryOf } from '../../support/delivery/records.js';

const NOW = 5000;

function ledgerWithLimiter() {
  const limiter = new RateLimiter();
  const limited = account('a', { limit_per_minute: 10 });
  limiter.seed('a', []);
  return { ledger: new DeliveryLedger(limiter), limiter, limited };
}

const used = (limiter: RateLimiter, acc: ReturnType<typeof account>) => limiter.state(acc, NOW, null)[0].used;

describe('delivery ledger', () => {
  it('a claim takes a claim slot (and the account rate slot) until its outcome is recorded', () => {
    const { ledger, limiter, limited } = ledgerWithLimiter();
    const d = accountDelivery('m1', [limited]);
    const sandbox = deliveryOf('m2', { kind: 'sandbox' });
    ledger.claim(d, NOW);
    ledger.claim(sandbox, NOW);
    expect([ledger.size(), ledger.claimed(), ledger.claimedFor('a'), used(limiter, limited)]).toEqual([2, 2, 1, 1]);
    expect(ledger.seqs()).toEqual([d.row.seq, sandbox.row.seq]);
  });

  it('a send holds a connection, globally and for its account, until it ends', () => {
    const { ledger, limited } = ledgerWithLimiter();
    const d = accountDelivery('m1', [limited]);
    const sandbox = deliveryOf('m2', { kind: 'sandbox' });
    ledger.claim(d, NOW);
    ledger.claim(sandbox, NOW);
    ledger.startSending(d, 'a', NOW);
    ledger.startSending(sandbox, '', NOW);
    expect([ledger.sending(), ledger.sendingFor('a'), ledger.unsettled()]).toEqual([2, 1, 2]);
    expect(ledger.end(d)).toBe(true);
    expect([ledger.sending(), ledger.sendingFor('a'), ledger.unsettled(), ledger.claimed()]).toEqual([1, 0, 1, 2]);
    expect(ledger.end(d)).toBe(false);
  });

  it('outcomes being recorded free their claim slots for the claim in the same transaction', () => {
    const { ledger, limiter, limited } = ledgerWithLimiter();
    const d = accountDelivery('m1', [limited]);
    ledger.claim(d, NOW);
    ledger.end(d);
    ledger.beginRecording([d]);
    expect([ledger.claimed(), ledger.claimedFor('a'), ledger.size()]).toEqual([0, 0, 1]);
    // the rate slot stays taken until the commit says whether the server accepted the message
    expect(used(limiter, limited)).toBe(1);
  });

  it('a rolled-back recording takes the claim slots back', () => {
    const { ledger, limited } = ledgerWithLimiter();
    const d = accountDelivery('m1', [limited]);
    ledger.claim(d, NOW);
    ledger.end(d);
    ledger.beginRecording([d]);
    ledger.recordingFailed([d]);
    expect([ledger.claimed(), ledger.claimedFor('a'), d.phase.name]).toEqual([1, 1, 'ended']);
  });

  it('a committed outcome removes the delivery; an accepted send counts in the rate windows', () => {
    const { ledger, limiter, limited } = ledgerWithLimiter();
    const sent = accountDelivery('m1', [limited]);
    const failed = accountDelivery('m2', [limited]);
    for (const d of [sent, failed]) {
      ledger.claim(d, NOW);
      ledger.end(d);
    }
    ledger.beginRecording([sent, failed]);
    ledger.recorded(sent, NOW);
    ledger.recorded(failed, null);
    expect([ledger.size(), ledger.unsettled(), used(limiter, limited)]).toEqual([0, 0, 1]);
  });

  it('a rolled-back claim gives back its slots', () => {
    const { ledger, limiter, limited } = ledgerWithLimiter();
    const d = accountDelivery('m1', [limited]);
    ledger.claim(d, NOW);
    ledger.unclaim(d);
    expect([ledger.size(), ledger.claimed(), ledger.claimedFor('a'), used(limiter, limited)]).toEqual([0, 0, 0, 0]);
  });

  it('a failover moves the claim slot, the rate slot and the running send to the next account', () => {
    const { ledger, limiter, limited } = ledgerWithLimiter();
    const spare = account('b', { limit_per_minute: 10 });
    limiter.seed('b', []);
    const d = accountDelivery('m1', [limited, spare]);
    ledger.claim(d, NOW);
    ledger.startSending(d, 'a', NOW);
    ledger.moveTo(d, spare, NOW);
    expect(d.target.kind === 'account' && d.target.via.id).toBe('b');
    expect([ledger.claimedFor('a'), ledger.claimedFor('b'), ledger.sendingFor('a'), ledger.sendingFor('b')]).toEqual([0, 1, 0, 1]);
    expect([used(limiter, limited), used(limiter, spare)]).toEqual([0, 1]);
  });

  it('clear forgets every delivery and its rate slots', () => {
    const { ledger, limiter, limited } = ledgerWithLimiter();
    ledger.claim(accountDelivery('m1', [limited]), NOW);
    ledger.clear();
    expect([ledger.size(), ledger.claimed(), used(limiter, limited)]).toEqual([0, 0, 0]);
  });
});

describe('round queue', () => {
  it('runs rounds one at a time, in order, and goes on after one fails', async () => {
    const q = new RoundQueue();
    const log: string[] = [];
    const round = (name: string, fail = false) => async () => {
      log.push(`${name} start`);
      await new Promise((r) => setImmediate(r));
      log.push(`${name} end`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([q.run(round('a')), q.run(round('b', true)), q.run(round('c'))]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
