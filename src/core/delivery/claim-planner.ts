import type { RelayConfig } from '../config/types.js';
import type { ClaimedMessage, DeferOutcome, ErrorOutcome, RateSlot } from '../store/ports.js';
import type { AccountBook } from './account-book.js';
import type { TenantBook } from './tenant-book.js';
import {
  bulkCaps,
  decideClaimed,
  limitedCarriers,
  saturatedAccounts,
  sendCaps,
  withoutUnlocked,
  type AccountState,
  type ClaimDecision,
  type UnlockedWindows,
} from './claim-decisions.js';
import { CLAIM_AHEAD, keyOf, newDelivery, slotAccount, type ClaimPorts, type Delivery, type DeliveryLedger, type RoundPlan } from './delivery.js';
import { backoffDeferral, claimFailure, rateLimitDeferral } from './outcomes.js';
import { LONGEST_WINDOW, hasLimits, type RateLimiter } from './rate-limiter.js';
import { accountConcurrency } from './transports.js';

/** at most this many messages are claimed for sending per round */
const SEND_BATCH = 200;
/** messages of rate-limited accounts are claimed (to be deferred or failed) this many at a time */
const BULK_BATCH = 500;

export interface ClaimPlannerDeps {
  ledger: DeliveryLedger;
  book: AccountBook;
  /** what suspended tenants and batches hold back */
  tenants: TenantBook;
  limiter: RateLimiter;
  state: AccountState;
  config: RelayConfig;
  random: () => number;
  /** the sandbox sink listens */
  sandboxReady(): boolean;
  /** this relay's instance id: its leases and rate slots carry it */
  owner: string;
}

/** The engine's state as decisions read it: the account snapshot, backoffs, rate windows, the ledger's slots. */
export function engineAccountState(book: AccountBook, limiter: RateLimiter, ledger: DeliveryLedger, config: RelayConfig): AccountState {
  return {
    account: (tenantId, id) => book.get(tenantId, id),
    accounts: () => book.list(),
    backoffUntil: (key, now) => book.backoffUntil(key, now),
    backoffError: (key) => book.backoffError(key),
    rate: (acc, now) => limiter.check(acc, now),
    rateSaturated: (acc, now) => limiter.saturated(acc, now),
    claimFree: (acc) => accountConcurrency(acc, config) * CLAIM_AHEAD - ledger.claimedFor(keyOf(acc)),
  };
}

/** What the decisions of one round write in its transaction besides the claim. */
interface Writes {
  defers: DeferOutcome[];
  errors: ErrorOutcome[];
  /** seqs */
  holds: number[];
}

/**
 * Plans claim rounds inside a transaction: computes the caps from the ledger, the rate windows and the
 * backoffs, claims due messages, decides each one (claim-decisions.ts) and writes the deferrals and
 * failures. The sends it plans start after the commit; `undo` gives back their slots after a rollback.
 */
export class ClaimPlanner {
  /** set by prepare: accounts with limits left unlocked in this transaction (no queued work could reach them) */
  private unlocked: UnlockedWindows = [];

  constructor(private readonly deps: ClaimPlannerDeps) {}

  /**
   * Reads what the claim needs before the transaction writes anything: the account and tenant snapshots
   * if a change was announced, and the rate windows of accounts with limits seen for the first time.
   */
  async prepare(tx: ClaimPorts, now: number): Promise<void> {
    const { book, limiter, tenants } = this.deps;
    if (tenants.isStale()) await tenants.reload(tx.tenants);
    if (book.isStale()) {
      await book.reload(tx.accounts);
      for (const acc of book.list()) {
        if (limiter.needsSeed(acc)) limiter.seed(keyOf(acc), await tx.dispatch.sendLogSince(acc.tenant_id, acc.id, now - LONGEST_WINDOW));
      }
    }
    await this.readShared(tx, now);
  }

  /**
   * Where relays share the database: locks the rate windows of the accounts with limits until the commit
   * and counts every relay's sends (in flight included), and adopts the backoffs other relays started.
   */
  private async readShared(tx: ClaimPorts, now: number): Promise<void> {
    const { book, limiter, owner } = this.deps;
    // only accounts that queued work may reach now: a claim never waits on the thousands that have none
    const limited = limitedCarriers(this.deps.state, hasLimits);
    this.unlocked = [];
    if (limited.size > 0) {
      const locks = [...limited.values()].map(({ account, carriers }) => ({ tenant_id: account.tenant_id, id: account.id, whenQueued: carriers }));
      const windows = await tx.dispatch.lockRateWindows(locks, now - LONGEST_WINDOW, owner);
      if (windows) {
        for (const [key, sends] of windows) limiter.seed(key, sends);
        this.unlocked = [...limited].filter(([key]) => !windows.has(key)).map(([, e]) => ({ tenant_id: e.account.tenant_id, carriers: e.carriers }));
      }
    }
    const backoffs = await tx.dispatch.sharedBackoffs(now);
    if (backoffs) book.adopt(backoffs, now);
  }

  /** Claim slots left, and the accounts whose messages are claimed in bulk to be deferred. */
  private room(now: number, skipLimits: boolean): { free: number; saturated: Set<string> } {
    const free = this.deps.config.delivery.maxConcurrency * CLAIM_AHEAD - this.deps.ledger.claimed();
    return { free, saturated: skipLimits ? new Set<string>() : saturatedAccounts(this.deps.state, now) };
  }

  /** Whether a round could claim anything (false: no transaction is worth opening). */
  mayClaim(now: number, sandboxMode: boolean, rehearseLimits = false): boolean {
    if (this.deps.book.isStale() || this.deps.tenants.isStale()) return true;
    const { free, saturated } = this.room(now, sandboxMode && !rehearseLimits);
    return free > 0 || saturated.size > 0;
  }

  /**
   * Claims due messages into `plan` and decides each, within the caller's transaction (after `prepare`).
   * `rehearseLimits`: sandbox mode claims as real delivery does (the accounts' caps and rate limits).
   */
  async fill(plan: RoundPlan, tx: ClaimPorts, now: number, sandboxMode: boolean, rehearseLimits = false): Promise<void> {
    const { state, config } = this.deps;
    const skipLimits = sandboxMode && !rehearseLimits;
    const { free, saturated } = this.room(now, skipLimits);
    if (free <= 0 && saturated.size === 0) return;
    const leaseUntil = now + config.delivery.leaseSeconds;
    const held = this.deps.tenants.heldWork();
    const owner = this.deps.owner;
    const rows: ClaimedMessage[] = [];
    if (saturated.size > 0) {
      rows.push(...(await tx.dispatch.claim({ now, leaseUntil, limit: BULK_BATCH, caps: withoutUnlocked(bulkCaps(saturated, BULK_BATCH), this.unlocked), held, owner })));
    }
    if (free > 0) {
      const caps = skipLimits ? undefined : withoutUnlocked(sendCaps(state, now, saturated, SEND_BATCH), this.unlocked);
      rows.push(...(await tx.dispatch.claim({ now, leaseUntil, limit: Math.min(free, SEND_BATCH), caps, held, owner })));
    }
    plan.claimed += rows.length;
    const writes: Writes = { defers: [], errors: [], holds: [] };
    const context = { sandboxMode, rehearseLimits, sandboxReady: this.deps.sandboxReady(), state, now, random: this.deps.random, retry: config.delivery };
    const planned = plan.starts.length;
    for (const row of rows) this.apply(decideClaimed(row, context), row, now, plan, writes);
    const slots = plan.starts.slice(planned).flatMap((d): RateSlot[] => {
      const via = slotAccount(d.target);
      return via && hasLimits(via) ? [{ seq: d.row.seq, tenant_id: via.tenant_id, account_id: via.id }] : [];
    });
    if (slots.length > 0) await tx.dispatch.takeRateSlots(slots, now, owner);
    if (writes.defers.length > 0) await tx.dispatch.defer(writes.defers, now);
    if (writes.errors.length > 0) await tx.dispatch.markError(writes.errors, now);
    if (writes.holds.length > 0) await tx.dispatch.releaseLeases(writes.holds, now, 'held');
    if (writes.errors.length > 0) plan.reportWake = true;
  }

  /** The round's transaction rolled back: gives back the slots its planned sends took. */
  undo(plan: RoundPlan): void {
    for (const d of plan.starts) this.deps.ledger.unclaim(d);
    plan.starts = [];
  }

  private start(d: Delivery, now: number, plan: RoundPlan): void {
    this.deps.ledger.claim(d, now);
    plan.starts.push(d);
  }

  private apply(decision: ClaimDecision, row: ClaimedMessage, now: number, plan: RoundPlan, writes: Writes): void {
    switch (decision.kind) {
      case 'fail': {
        const f = claimFailure(row, decision.account, decision.error, decision.outcome, now);
        writes.errors.push(f.error);
        plan.attempts.push(f.attempt);
        return;
      }
      case 'hold':
        writes.holds.push(row.seq);
        return;
      case 'sandbox':
        return this.start(newDelivery(row, decision.payload, decision.via ? { kind: 'sandbox', rehearsed: decision.via } : { kind: 'sandbox' }, now), now, plan);
      case 'send':
        return this.start(
          newDelivery(row, decision.payload, { kind: 'account', route: decision.route, via: decision.via, failover: [] }, now),
          now,
          plan,
        );
      case 'rate_limited': {
        const until = this.deps.limiter.reserve(decision.account, now, row.seq, row.priority);
        const r = rateLimitDeferral(row, decision.account.id, until, decision.window, decision.limit);
        writes.defers.push(r.defer);
        plan.attempts.push(r.attempt);
        return;
      }
      case 'backoff':
        writes.defers.push(backoffDeferral(row, decision.account, decision.until, decision.error));
        return;
    }
  }
}
