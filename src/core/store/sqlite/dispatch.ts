import type { DispatchPort } from '../ports.js';
import type { AttemptStart, ClaimRequest, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { DispatchClaims } from './dispatch-claims.js';
import { DispatchLeases } from './dispatch-leases.js';
import { DispatchOutcomes } from './dispatch-outcomes.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

/** The delivery engine's port: claims and leases on one side, outcomes and the send log on the other. */
export class SqliteDispatch implements DispatchPort {
  private readonly claims: DispatchClaims;
  private readonly outcomes: DispatchOutcomes;
  private readonly leases: DispatchLeases;

  constructor(runner: TransactionRunner, scope: Scope) {
    this.claims = new DispatchClaims(runner, scope);
    this.outcomes = new DispatchOutcomes(runner, scope);
    this.leases = new DispatchLeases(runner, scope);
  }

  promoteDue(now: number) {
    return this.claims.promoteDue(now);
  }
  nextDueTs() {
    return this.claims.nextDueTs();
  }
  nextLeaseExpiry(excludeSeqs?: readonly number[]) {
    return this.claims.nextLeaseExpiry(excludeSeqs);
  }
  claim(req: ClaimRequest) {
    return this.claims.claim(req);
  }
  releaseExpiredLeases(now: number, expiredAt: number, excludeSeqs?: readonly number[]) {
    return this.claims.releaseExpiredLeases(now, expiredAt, excludeSeqs);
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

  renewLeases(seqs: readonly number[], leaseUntil: number) {
    return this.leases.renewLeases(seqs, leaseUntil);
  }
  heartbeat() {
    return this.leases.heartbeat();
  }
  forgetRelay() {
    return this.leases.forgetRelay();
  }
  liveRelays() {
    return this.leases.liveRelays();
  }
  lockRateWindows() {
    return this.leases.lockRateWindows();
  }
  takeRateSlots() {
    return this.leases.takeRateSlots();
  }
  shareBackoff() {
    return this.leases.shareBackoff();
  }
  sharedBackoffs() {
    return this.leases.sharedBackoffs();
  }
}
