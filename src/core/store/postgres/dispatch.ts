import type { DispatchPort, LeaseScope, RateSlot, RateWindowLock, RelayInstance } from '../ports.js';
import type { AttemptStart, ClaimRequest, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { PgDispatchClaims } from './dispatch-claims.js';
import { PgDispatchLeases } from './dispatch-leases.js';
import { PgDispatchOutcomes } from './dispatch-outcomes.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** The delivery engine's port: claims and leases on one side, outcomes and the send log on the other. */
export class PgDispatch implements DispatchPort {
  private readonly claims: PgDispatchClaims;
  private readonly outcomes: PgDispatchOutcomes;
  private readonly leases: PgDispatchLeases;

  constructor(runner: PgTransactionRunner, scope: PgScope) {
    this.claims = new PgDispatchClaims(runner, scope);
    this.outcomes = new PgDispatchOutcomes(runner, scope);
    this.leases = new PgDispatchLeases(runner, scope);
  }

  promoteDue(now: number) {
    return this.claims.promoteDue(now);
  }
  nextDueTs() {
    return this.claims.nextDueTs();
  }
  nextLeaseExpiry(excludeSeqs?: readonly number[], scope?: LeaseScope) {
    return this.claims.nextLeaseExpiry(excludeSeqs, scope);
  }
  claim(req: ClaimRequest) {
    return this.claims.claim(req);
  }
  releaseExpiredLeases(now: number, expiredAt: number, excludeSeqs?: readonly number[], scope?: LeaseScope) {
    return this.claims.releaseExpiredLeases(now, expiredAt, excludeSeqs, scope);
  }
  releaseLeases(seqs: number[], now: number, reason: string) {
    return this.claims.releaseLeases(seqs, now, reason);
  }
  countLeased() {
    return this.claims.countLeased();
  }

  beginAttempts(items: AttemptStart[], now: number) {
    return this.outcomes.beginAttempts(items, now);
  }
  markSent(items: SentOutcome[], now: number) {
    return this.outcomes.markSent(items, now);
  }
  markError(items: ErrorOutcome[], now: number) {
    return this.outcomes.markError(items, now);
  }
  defer(items: DeferOutcome[], now: number) {
    return this.outcomes.defer(items, now);
  }
  rateWindowCounts(tenantId: string, accountId: string, now: number) {
    return this.outcomes.rateWindowCounts(tenantId, accountId, now);
  }
  sendLogSince(tenantId: string, accountId: string, since: number) {
    return this.outcomes.sendLogSince(tenantId, accountId, since);
  }

  renewLeases(seqs: readonly number[], leaseUntil: number, owner: string) {
    return this.leases.renewLeases(seqs, leaseUntil, owner);
  }
  heartbeat(relay: RelayInstance, now: number) {
    return this.leases.heartbeat(relay, now);
  }
  forgetRelay(id: string) {
    return this.leases.forgetRelay(id);
  }
  liveRelays(since: number) {
    return this.leases.liveRelays(since);
  }
  lockRateWindows(accounts: readonly RateWindowLock[], since: number, owner: string) {
    return this.leases.lockRateWindows(accounts, since, owner);
  }
  takeRateSlots(slots: readonly RateSlot[], now: number, owner: string) {
    return this.leases.takeRateSlots(slots, now, owner);
  }
  shareBackoff(tenantId: string, accountId: string, until: number | null, error: string) {
    return this.leases.shareBackoff(tenantId, accountId, until, error);
  }
  sharedBackoffs(now: number) {
    return this.leases.sharedBackoffs(now);
  }
}
