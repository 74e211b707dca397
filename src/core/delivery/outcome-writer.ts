import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import type { RelayBus } from '../events.js';
import type { Account, AttemptStart, Store, TransactionPorts } from '../store/ports.js';
import type { AccountBook } from './account-book.js';
import { emptyPlan, keyOf, slotAccount, type Delivery, type DeliveryLedger, type RoundClaim, type RoundQueue } from './delivery.js';
import { RELEASE_REASONS, isFinal, type Outcome } from './outcomes.js';

/**
 * Completions arriving within this window share one commit while other sends are still running; a lone
 * completion is recorded at once.
 */
const FLUSH_WINDOW_MS = 8;
const FLUSH_RETRY_MS = 1000;

export interface OutcomeWriterDeps {
  store: Pick<Store, 'transaction'>;
  ledger: DeliveryLedger;
  book: AccountBook;
  bus: RelayBus;
  clock: Clock;
  logger: Logger;
  rounds: RoundQueue;
  /** the claim made in each flush's transaction, with the slots its outcomes free */
  claim: RoundClaim;
  /** a send ended: its connection is free for a waiting delivery */
  connectionFreed(): void;
  /** a flush committed */
  flushed(): void;
  /** an account that was backing off delivered again */
  recovered(account: Account): void;
}

interface Ended {
  d: Delivery;
  outcome: Outcome;
}

/**
 * Records the sends started and the outcomes of ended deliveries in batches: one transaction per batch,
 * which also claims the work the freed slots allow. Announces the attempts after the commit and wakes
 * the reporter for final outcomes.
 */
export class OutcomeWriter {
  private ended: Ended[] = [];
  private started: AttemptStart[] = [];
  private queued = false;
  private timer: NodeJS.Timeout | null = null;
  /** the store may be closed: nothing is recorded any more */
  private closed = false;

  constructor(private readonly deps: OutcomeWriterDeps) {}

  attemptStarted(a: AttemptStart): void {
    this.started.push(a);
    this.schedule(false);
  }

  /** A delivery ended: its connection is free now, its outcome is recorded with the next flush. */
  add(d: Delivery, outcome: Outcome): void {
    if (this.closed) return;
    const wasSending = this.deps.ledger.end(d);
    this.ended.push({ d, outcome });
    if (wasSending) this.deps.connectionFreed();
    this.schedule(this.deps.ledger.unsettled() === 0);
  }

  open(): void {
    this.closed = false;
  }

  /** Stops recording; what was not recorded is dropped (its leases are returned by the caller). */
  close(): void {
    this.closed = true;
    this.ended = [];
    this.started = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A flush at once (nothing else is running) or within FLUSH_WINDOW_MS, sharing one commit. */
  private schedule(now: boolean): void {
    if (now) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (!this.queued) {
        this.queued = true;
        setImmediate(() => void this.flush());
      }
    } else if (!this.queued && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, FLUSH_WINDOW_MS);
    }
  }

  /** Records everything gathered so far (in turn with the engine's other transactions). */
  flush(): Promise<void> {
    this.queued = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || (this.ended.length === 0 && this.started.length === 0)) return Promise.resolve();
    return this.deps.rounds.run(() => this.record());
  }

  private async record(): Promise<void> {
    if (this.closed || (this.ended.length === 0 && this.started.length === 0)) return;
    const { ledger, claim } = this.deps;
    const batch = this.ended;
    const attempts = this.started;
    this.ended = [];
    this.started = [];
    const deliveries = batch.map((e) => e.d);
    const now = nowSec(this.deps.clock);
    const plan = emptyPlan();
    ledger.beginRecording(deliveries);
    try {
      await this.deps.store.transaction(
        async (tx) => {
          await claim.prepare(tx, now);
          if (attempts.length > 0) await tx.dispatch.beginAttempts(attempts, now);
          await this.write(tx, batch, now);
          await claim.fill(plan, tx, now);
        },
        { durable: false },
      );
    } catch (err) {
      claim.undo(plan);
      ledger.recordingFailed(deliveries);
      this.deps.logger.error({ err }, 'could not record delivery outcomes; retrying');
      this.ended = batch.concat(this.ended);
      this.started = attempts.concat(this.started);
      setTimeout(() => void this.flush(), FLUSH_RETRY_MS).unref();
      return;
    }
    for (const { d, outcome } of batch) {
      const sentThrough = outcome.kind === 'sent' ? slotAccount(d.target) : null;
      ledger.recorded(d, sentThrough !== null ? now : null);
      if (sentThrough !== null && this.deps.book.recovered(keyOf(sentThrough))) this.deps.recovered(sentThrough);
      if (outcome.kind !== 'released') this.deps.bus.emit('attempt', outcome.attempt);
    }
    if (batch.some((e) => isFinal(e.outcome))) this.deps.bus.emit('report.wake');
    claim.launch(plan);
    this.deps.flushed();
  }

  private async write(tx: TransactionPorts, batch: Ended[], now: number): Promise<void> {
    const sent = batch.flatMap((e) => (e.outcome.kind === 'sent' ? [e.outcome.sent] : []));
    if (sent.length > 0) await tx.dispatch.markSent(sent, now);
    for (const s of sent) {
      if (s.captured_id === null) continue;
      try {
        await tx.captured.linkMessage(s.captured_id, s.seq);
      } catch (err) {
        this.deps.logger.warn({ err, captured_id: s.captured_id }, 'could not link captured message');
      }
    }
    const errors = batch.flatMap((e) => (e.outcome.kind === 'error' ? [e.outcome.error] : []));
    if (errors.length > 0) await tx.dispatch.markError(errors, now);
    const defers = batch.flatMap((e) => (e.outcome.kind === 'deferred' ? [e.outcome.defer] : []));
    if (defers.length > 0) await tx.dispatch.defer(defers, now);
    for (const reason of RELEASE_REASONS) {
      const seqs = batch.flatMap((e) => (e.outcome.kind === 'released' && e.outcome.reason === reason ? [e.d.row.seq] : []));
      if (seqs.length > 0) await tx.dispatch.releaseLeases(seqs, now, reason);
    }
  }
}
