import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { nowSec, type Clock } from '../clock.js';
import type { RuntimeSettingsValues } from '../settings/runtime-settings.js';
import type { LeaseScope, Store } from '../store/ports.js';
import type { AccountBook } from './account-book.js';
import { emptyPlan, type DeliveryLedger, type RoundClaim, type RoundQueue } from './delivery.js';

/** claim rounds per pump before yielding to the event loop */
const MAX_ROUNDS = 20;
const RETRY_MS = 1000;
/** setTimeout's range; the timer is re-armed after it */
const MAX_TIMER_MS = 3_600_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface PumpDeps {
  store: Pick<Store, 'dispatch' | 'transaction'>;
  settings: { current(): Readonly<RuntimeSettingsValues> };
  clock: Clock;
  logger: Logger;
  rounds: RoundQueue;
  ledger: DeliveryLedger;
  book: AccountBook;
  claim: RoundClaim;
  /** whose expired leases this relay may take back (not those of live relays) */
  leaseScope: LeaseScope;
  running(): boolean;
  /** sandbox mode has a sink to send to */
  sandboxReady(): boolean;
  abortOverdueSends(): void;
  /** clock ms when the next pool becomes idle (closing those idle now), or null */
  closeIdlePools(): number | null;
  /** performance.now() at which the next running attempt times out, or null */
  nextSendDeadline(): number | null;
}

/**
 * When the engine wakes (a wake call, or its single timer: next due message, foreign lease expiry, backoff
 * end, send deadline, idle pool) and what it does then: abort overdue sends, return expired leases,
 * promote due messages, claim in rounds of one transaction each.
 */
export class Pump {
  private wanted = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** performance.now() at which the timer fires */
  private timerAtPerf = Infinity;
  /** clock ms at which the timer fires, or null when it is not armed */
  private timerAtClockMs: number | null = null;
  /** when the store next has work (due message, foreign lease expiry), as of the last pump */
  private storeWakeTs: number | null = null;
  /** foreign leases (rows in `sending` that no send of ours holds) are looked for once per clock second */
  private leaseCheck: { at: number; ts: number | null } = { at: -Infinity, ts: null };

  constructor(private readonly deps: PumpDeps) {}

  private now(): number {
    return nowSec(this.deps.clock);
  }

  /** Asks for a pump; wakes arriving before it starts share it. */
  request(): void {
    if (!this.deps.running()) return;
    this.wanted = true;
    this.loop ??= this.pumpLoop();
  }

  /** Resolves once no pump is under way or wanted: a wake has been handled, whatever it did. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Clock ms at which the timer next wakes the engine, or null when nothing is armed. */
  wakeAtMs(): number | null {
    return this.timerAtClockMs;
  }

  /** Stops the timer; resolves once a pump under way has ended (the caller stopped `running` first). */
  async stop(): Promise<void> {
    this.clearTimer();
    await this.loop;
  }

  /** Pumps while wakes keep coming, each after a turn of the event loop. */
  private async pumpLoop(): Promise<void> {
    try {
      while (this.wanted && this.deps.running()) {
        await nextTurn();
        this.wanted = false;
        if (!this.deps.running()) break;
        try {
          await this.pumpOnce();
          await this.refreshStoreWake();
          if (this.deps.running()) this.arm();
        } catch (err) {
          this.deps.logger.error({ err }, 'dispatch round failed');
          if (this.deps.running()) this.arm(RETRY_MS);
        }
      }
    } finally {
      this.loop = null;
    }
  }

  private async pumpOnce(): Promise<void> {
    const { store, logger } = this.deps;
    const settings = this.deps.settings.current();
    const now = this.now();
    this.deps.abortOverdueSends();
    if (settings.paused) return;

    const leaseDue = await this.leaseExpiry(now);
    if (leaseDue !== null && leaseDue <= now) {
      this.leaseCheck.at = -Infinity;
      const n = await store.dispatch.releaseExpiredLeases(now, now, this.deps.ledger.seqs(), this.deps.leaseScope);
      if (n > 0) logger.warn({ released: n }, 'leases expired; messages returned to the queue');
    }
    const due = await store.dispatch.nextDueTs();
    if (due !== null && due <= now) await store.dispatch.promoteDue(now);

    // sandbox mode before the sink listens: messages wait in the queue
    if (settings.delivery_mode === 'sandbox' && !this.deps.sandboxReady()) return;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!(await this.claimRound(now))) return;
    }
    this.request();
  }

  /** One claim + decide transaction, then the sends start. Returns whether anything was claimed. */
  private claimRound(now: number): Promise<boolean> {
    const { claim } = this.deps;
    return this.deps.rounds.run(async () => {
      if (!claim.mayClaim(now)) return false;
      const plan = emptyPlan();
      try {
        await this.deps.store.transaction(
          async (tx) => {
            await claim.prepare(tx, now);
            await claim.fill(plan, tx, now);
          },
          { durable: false },
        );
      } catch (err) {
        claim.undo(plan);
        throw err;
      }
      claim.launch(plan);
      return plan.claimed > 0;
    });
  }

  // ---- the timer ---------------------------------------------------------------------------------

  /**
   * When a lease not held by this process expires. Leases of this process's own sends count too while
   * they are in the future (an early wake is harmless); once expired they are ignored, or the timer
   * would spin on a long send.
   */
  private async leaseExpiry(now: number): Promise<number | null> {
    if (now !== this.leaseCheck.at) {
      const dispatch = this.deps.store.dispatch;
      const scope = this.deps.leaseScope;
      let ts = await dispatch.nextLeaseExpiry([], scope);
      if (ts !== null && ts <= now) ts = await dispatch.nextLeaseExpiry(this.deps.ledger.seqs(), scope);
      this.leaseCheck = { at: now, ts };
    }
    return this.leaseCheck.ts;
  }

  /** Reads when the store next has work, so the timer can be re-armed at any moment without a store call. */
  private async refreshStoreWake(): Promise<void> {
    if (this.deps.settings.current().paused) {
      this.storeWakeTs = null;
      return;
    }
    const now = this.now();
    const due = await this.deps.store.dispatch.nextDueTs();
    const lease = await this.leaseExpiry(now);
    const foreignLease = lease !== null && lease <= now && this.deps.ledger.size() > 0 ? null : lease;
    const candidates = [due, foreignLease].filter((ts): ts is number => ts !== null);
    this.storeWakeTs = candidates.length > 0 ? Math.min(...candidates) : null;
  }

  /** Makes sure the timer fires no later than a send's deadline (performance.now() ms). */
  watchDeadline(deadlineMs: number): void {
    if (!this.deps.running() || (this.timer && this.timerAtPerf <= deadlineMs)) return;
    this.arm();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtPerf = Infinity;
    this.timerAtClockMs = null;
  }

  /** (Re)arms the timer for the earliest wake, or `maxDelayMs` from now if sooner. */
  private arm(maxDelayMs?: number): void {
    this.clearTimer();
    const nowMs = this.deps.clock.nowMs();
    const now = Math.floor(nowMs / 1000);
    let delay = maxDelayMs ?? Infinity;
    if (!this.deps.settings.current().paused) {
      for (const ts of [this.storeWakeTs, ...this.deps.book.backoffEnds(now)]) if (ts !== null) delay = Math.min(delay, ts * 1000 - nowMs);
    }
    const idle = this.deps.closeIdlePools();
    if (idle !== null) delay = Math.min(delay, idle - nowMs);
    const t = performance.now();
    const deadline = this.deps.nextSendDeadline();
    if (deadline !== null) delay = Math.min(delay, deadline - t);
    if (delay === Infinity) return;
    const ms = Math.min(Math.max(0, Math.ceil(delay)), MAX_TIMER_MS);
    this.timerAtPerf = t + ms;
    this.timerAtClockMs = nowMs + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtPerf = Infinity;
      this.timerAtClockMs = null;
      this.request();
    }, ms);
    this.timer.unref();
  }
}
