import type { DispatchPort } from '../ports.js';
import type { AttemptStart, ClaimRequest, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { PgDispatchClaims } from './dispatch-claims.js';
import { PgDispatchOutcomes } from './dispatch-outcomes.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** The delivery engine's port: claims and leases on one side, outcomes and the send log on the other. */
export class PgDispatch implements DispatchPort {
  private readonly claims: PgDispatchClaims;
  private readonly outcomes: PgDispatchOutcomes;

  constructor(runner: PgTransactionRunner, scope: PgScope) {
    this.claims = new PgDispatchClaims(runner, scope);
    this.outcomes = new PgDispatchOutcomes(runner, scope);
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
}
