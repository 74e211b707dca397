import type { Logger } from 'pino';
import type { Account, Store } from '../store/ports.js';
import type { Delivery, DeliveryLedger } from './delivery.js';
import { LONGEST_WINDOW, hasLimits, type RateLimiter } from './rate-limiter.js';

export interface FailoverSlotsDeps {
  store: Pick<Store, 'transaction'>;
  ledger: Pick<DeliveryLedger, 'moveTo'>;
  limiter: Pick<RateLimiter, 'seed' | 'check'>;
  /** this relay's instance id: the slots it takes carry it */
  owner: string;
  logger: Pick<Logger, 'warn'>;
}

/**
 * Failover moves a delivery's claim and rate slot to the next account of its route. Where relays share
 * the database, an account with limits gets its slot as a claim takes one: under the account's window
 * lock, counting every relay's sends, and recorded in the shared send log before the send starts.
 */
export class FailoverSlots {
  constructor(private readonly deps: FailoverSlotsDeps) {}

  /** Moves the delivery to `next`; false (the delivery stays where it was) when `next` has no free slot. */
  async moveTo(d: Delivery, next: Account, now: number): Promise<boolean> {
    const { ledger, limiter, owner } = this.deps;
    if (!hasLimits(next)) {
      ledger.moveTo(d, next, now);
      return true;
    }
    const from = d.target.kind === 'account' ? d.target.via : null;
    let moved = false;
    try {
      return await this.deps.store.transaction(
        async (tx) => {
          const windows = await tx.dispatch.lockRateWindows([next], now - LONGEST_WINDOW, owner);
          if (windows) for (const [key, sends] of windows) limiter.seed(key, sends);
          if (!limiter.check(next, now).ok) return false;
          // moved before the slot row commits: a claim of this process counts it at once (its own slots in the ledger only)
          ledger.moveTo(d, next, now);
          moved = true;
          await tx.dispatch.takeRateSlots([{ seq: d.row.seq, tenant_id: next.tenant_id, account_id: next.id }], now, owner);
          return true;
        },
        { durable: false },
      );
    } catch (err) {
      this.deps.logger.warn({ err, message_id: d.row.id, to: next.id }, 'failover: could not take a rate slot');
      // no durable slot, no send through `next`: the delivery ends on its account as without a failover
      if (moved && from) ledger.moveTo(d, from, now);
      return false;
    }
  }
}
