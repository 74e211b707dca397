import type { AttemptOutcome } from '../events.js';
import type { MessagePayload } from '../messages/types.js';
import { accountKey, type Account, type ClaimedMessage, type TransactionPorts } from '../store/ports.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * The bottom of the delivery engine: the record of one claimed message (`Delivery`), the ledger that
 * owns every slot count, and the queue that runs the engine's transactions one at a time.
 */

/** Messages without an account go out through their tenant's account with this id. */
export const DEFAULT_ACCOUNT_ID = 'default';

/** The key of an account in the engine's maps: accountKey(tenant_id, id). */
export const keyOf = (a: Pick<Account, 'tenant_id' | 'id'>): string => accountKey(a.tenant_id, a.id);
/**
 * Messages are claimed up to this many times the connections (global and per account): the extra ones
 * wait claimed and leased, and take a connection the moment a send on it ends.
 */
export const CLAIM_AHEAD = 2;

export interface FailoverStep {
  account: string;
  error: string;
}

/** Where a delivery goes: the sandbox sink, or the accounts of its route, failing over along it. */
export type DeliveryTarget =
  /** `rehearsed`: limits rehearsal, the account whose claim and rate slot it holds as a real send would */
  | { kind: 'sandbox'; rehearsed?: Account }
  | {
      kind: 'account';
      /** in the order they are tried */
      route: readonly Account[];
      /** the account the delivery goes through now; it holds a claim and a rate slot there */
      via: Account;
      /** the accounts left behind, with the failure that made it move on */
      failover: FailoverStep[];
    };

/** One SMTP attempt of a running send: aborted by the send timeout (reason `SendTimeout`) or by a stop. */
export interface SendAttempt {
  /** performance.now() when it started */
  startedMs: number;
  controller: AbortController;
}

export class SendTimeout extends Error {}

export type DeliveryPhase =
  /** claimed, waiting for a free connection */
  | { name: 'waiting' }
  /** holds a connection of `connection` (an account key; '' for the sandbox); `attempt` is null while the MIME is built */
  | { name: 'sending'; connection: string; startedTs: number; attempt: SendAttempt | null }
  /** its outcome is known and waits to be recorded */
  | { name: 'ended' }
  /** its outcome is in the transaction being committed: its claim slot is free for the claim made in it */
  | { name: 'recording' };

/** A message claimed by this process, from its claim until its outcome is recorded. */
export interface Delivery {
  readonly row: ClaimedMessage;
  readonly payload: MessagePayload;
  /** epoch seconds */
  readonly claimedAt: number;
  readonly target: DeliveryTarget;
  phase: DeliveryPhase;
}

/** The account whose claim and rate slot the delivery holds (none: a sandbox send that skips limits). */
export function slotAccount(target: DeliveryTarget): Account | null {
  return target.kind === 'account' ? target.via : (target.rehearsed ?? null);
}

export function newDelivery(row: ClaimedMessage, payload: MessagePayload, target: DeliveryTarget, now: number): Delivery {
  return { row, payload, claimedAt: now, target, phase: { name: 'waiting' } };
}

/** What a claim round decided, applied after its transaction commits (or undone after a rollback). */
export interface RoundPlan {
  claimed: number;
  /** deliveries to start, in dispatch order */
  starts: Delivery[];
  /** attempt outcomes decided at claim time (failed or deferred at once) */
  attempts: AttemptOutcome[];
  /** final outcomes were written: the reporter has work */
  reportWake: boolean;
}

export function emptyPlan(): RoundPlan {
  return { claimed: 0, starts: [], attempts: [], reportWake: false };
}

/** The store ports a claim round uses inside its transaction. */
export type ClaimPorts = Pick<TransactionPorts, 'dispatch' | 'accounts' | 'tenants'>;

/** The steps of a claim, as a pump round or an outcome flush runs them around its transaction. */
export interface RoundClaim {
  /** reads what the claim needs (accounts, rate windows), before the transaction writes anything */
  prepare(tx: ClaimPorts, now: number): Promise<void>;
  /** false when a round could claim nothing now (no transaction is worth opening) */
  mayClaim(now: number): boolean;
  /** claims and decides into the plan; nothing when claims are off (stopped, paused, no sink) */
  fill(plan: RoundPlan, tx: ClaimPorts, now: number): Promise<void>;
  /** the transaction rolled back: gives back the slots the plan took */
  undo(plan: RoundPlan): void;
  /** after the commit: announces the plan's outcomes and starts its sends */
  launch(plan: RoundPlan): void;
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

/**
 * Every delivery this process holds and the slots they take: claim slots (up to CLAIM_AHEAD x the
 * connections, global and per account, with the account's rate slot) and connections (sends running).
 * A delivery through an account holds its claim and rate slot on `via` until its outcome is recorded.
 */
export class DeliveryLedger {
  private readonly live = new Set<Delivery>();
  /** claim slots held: live deliveries not being recorded, in all and per account */
  private claimedAll = 0;
  private readonly claimedPer = new Map<string, number>();
  /** sends running, in all and per account (sandbox sends count in all only) */
  private sendingAll = 0;
  private readonly sendingPer = new Map<string, number>();
  /** live deliveries ended or being recorded */
  private settled = 0;

  constructor(private readonly limiter: Pick<RateLimiter, 'acquire' | 'release'>) {}

  /** A claim round took the message: its claim slot, and its account's rate slot. */
  claim(d: Delivery, now: number): void {
    this.live.add(d);
    this.claimedAll++;
    const acc = slotAccount(d.target);
    if (acc) this.takeAccountSlot(d, acc, now);
  }

  /** The claim rolled back: gives back what `claim` took. */
  unclaim(d: Delivery): void {
    if (!this.live.delete(d)) return;
    this.claimedAll--;
    const acc = slotAccount(d.target);
    if (acc) this.giveAccountSlot(keyOf(acc), null);
  }

  startSending(d: Delivery, connection: string, startedTs: number): void {
    d.phase = { name: 'sending', connection, startedTs, attempt: null };
    this.sendingAll++;
    if (connection) bump(this.sendingPer, connection, 1);
  }

  /** Failover: the delivery moves its slots, and its running send, to the next account of its route. */
  moveTo(d: Delivery, next: Account, now: number): void {
    if (d.target.kind !== 'account') return;
    this.giveAccountSlot(keyOf(d.target.via), null);
    this.takeAccountSlot(d, next, now);
    d.target.via = next;
    if (d.phase.name === 'sending' && d.phase.connection) {
      bump(this.sendingPer, d.phase.connection, -1);
      bump(this.sendingPer, keyOf(next), 1);
      d.phase.connection = keyOf(next);
    }
  }

  /** The delivery's outcome is known; returns whether it was holding a connection (now free). */
  end(d: Delivery): boolean {
    if (!this.live.has(d) || d.phase.name === 'ended' || d.phase.name === 'recording') return false;
    const wasSending = d.phase.name === 'sending';
    if (d.phase.name === 'sending') {
      this.sendingAll--;
      if (d.phase.connection) bump(this.sendingPer, d.phase.connection, -1);
    }
    d.phase = { name: 'ended' };
    this.settled++;
    return wasSending;
  }

  /** Their outcomes are being committed: their claim slots count as free for the claim in that transaction. */
  beginRecording(ds: readonly Delivery[]): void {
    for (const d of ds) {
      if (!this.live.has(d) || d.phase.name !== 'ended') continue;
      d.phase = { name: 'recording' };
      this.claimedAll--;
      const acc = slotAccount(d.target);
      if (acc) bump(this.claimedPer, keyOf(acc), -1);
    }
  }

  /** The transaction rolled back: they hold their claim slots again. */
  recordingFailed(ds: readonly Delivery[]): void {
    for (const d of ds) {
      if (!this.live.has(d) || d.phase.name !== 'recording') continue;
      d.phase = { name: 'ended' };
      this.claimedAll++;
      const acc = slotAccount(d.target);
      if (acc) bump(this.claimedPer, keyOf(acc), 1);
    }
  }

  /** The outcome is committed: the delivery is gone; `sentAt` when its account's server accepted it. */
  recorded(d: Delivery, sentAt: number | null): void {
    if (!this.live.has(d) || d.phase.name !== 'recording') return;
    this.live.delete(d);
    this.settled--;
    const acc = slotAccount(d.target);
    if (acc) this.limiter.release(keyOf(acc), sentAt);
  }

  /** Forgets everything (the relay stopped and returned the leases). */
  clear(): void {
    for (const d of this.live) {
      const acc = slotAccount(d.target);
      if (acc) this.limiter.release(keyOf(acc), null);
    }
    this.live.clear();
    this.claimedPer.clear();
    this.sendingPer.clear();
    this.claimedAll = this.sendingAll = this.settled = 0;
  }

  /** every delivery held */
  size(): number {
    return this.live.size;
  }

  /** deliveries waiting for a connection or sending */
  unsettled(): number {
    return this.live.size - this.settled;
  }

  claimed(): number {
    return this.claimedAll;
  }

  /** by account key */
  claimedFor(key: string): number {
    return this.claimedPer.get(key) ?? 0;
  }

  sending(): number {
    return this.sendingAll;
  }

  /** by account key */
  sendingFor(key: string): number {
    return this.sendingPer.get(key) ?? 0;
  }

  /** seqs of the messages held (their leases are this process's) */
  seqs(): number[] {
    return Array.from(this.live, (d) => d.row.seq);
  }

  all(): IterableIterator<Delivery> {
    return this.live.values();
  }

  private takeAccountSlot(d: Delivery, account: Account, now: number): void {
    bump(this.claimedPer, keyOf(account), 1);
    this.limiter.acquire(account, now, d.row.seq, d.row.priority);
  }

  private giveAccountSlot(key: string, sentAt: number | null): void {
    bump(this.claimedPer, key, -1);
    this.limiter.release(key, sentAt);
  }
}

/**
 * Runs the engine's transactions (claim rounds, outcome flushes) one at a time, each with its
 * bookkeeping applied or undone before the next starts, so none plans with slots a rollback gives back.
 */
export class RoundQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(round: () => Promise<T>): Promise<T> {
    const result = this.tail.then(round);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
