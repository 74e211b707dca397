import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import { nowSec, type Clock } from '../clock.js';
import type { RelayConfig } from '../config/types.js';
import type { Account, AttemptStart, CapturedPort } from '../store/ports.js';
import type { AccountBook } from './account-book.js';
import { AttachmentResolver, attachmentOptions, type AttachmentEndpoints } from './attachments.js';
import { pickAccount, type AccountState } from './claim-decisions.js';
import { SendTimeout, keyOf, type Delivery, type DeliveryLedger, type SendAttempt } from './delivery.js';
import { MessageBuildError, buildMail, buildRawMail } from './message-builder.js';
import {
  afterFailure,
  buildFailure,
  buildFailureOf,
  errorOutcome,
  failureOf,
  released,
  sentOutcome,
  temporaryOutcome,
  type Outcome,
} from './outcomes.js';
import { backoffDelay } from './retry-policy.js';
import type { FailureClass } from './smtp-errors.js';
import { Transports, accountConcurrency, type PoolMailer, type SentInfo, type VerifyResult } from './transports.js';

export interface SendRunnerDeps {
  ledger: DeliveryLedger;
  book: AccountBook;
  state: AccountState;
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  random: () => number;
  /** the source of released captured messages */
  captured: Pick<CapturedPort, 'raw'>;
  sandboxTarget(): { host: string; port: number } | null;
  paused(): boolean;
  /** a send started: its `attempt` row is written with the next outcomes */
  attemptStarted(a: AttemptStart): void;
  /** a delivery ended (sent, failed, deferred or released unsent) */
  ended(d: Delivery, outcome: Outcome): void;
  /** an SMTP attempt started: its deadline must be watched */
  attemptDeadline(deadlineMs: number): void;
  /** an account began backing off (shared with the relays on the same database) */
  backoffStarted(account: Account, until: number, error: string): void;
  /** where `fetch_mode: "endpoint"` attachments come from, per tenant */
  attachmentEndpoints: AttachmentEndpoints;
  /** moves a delivery's slots to the next account of its route; false when that account has no free slot */
  failoverTo(d: Delivery, next: Account, now: number): Promise<boolean>;
}

/**
 * The sending side: claimed deliveries wait here for a connection, then each builds its MIME message and
 * sends it through its account's pool (or the sandbox sink), reconnecting once after a 421 on a used
 * connection, backing the account off on connection failures, failing over on temporary ones.
 */
export class SendRunner {
  /** claimed deliveries waiting for a connection, in dispatch order */
  private waiting: Delivery[] = [];
  /** aborted when the relay stops: ends attachment downloads, and tells the sends it stopped them */
  private stopping = new AbortController();
  private readonly transports: Transports;
  private readonly attachments: AttachmentResolver;

  constructor(private readonly deps: SendRunnerDeps) {
    this.transports = new Transports(deps.config, () => deps.clock.nowMs());
    const cacheError = (err: unknown) => deps.logger.warn({ err }, 'attachment cache: a write or prune failed');
    this.attachments = new AttachmentResolver(attachmentOptions(deps.config, cacheError), deps.attachmentEndpoints);
  }

  private now(): number {
    return nowSec(this.deps.clock);
  }

  /** (Re)starts after a stop. */
  open(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
  }

  /** Queues claimed deliveries behind those already waiting. */
  enqueue(ds: readonly Delivery[]): void {
    this.waiting.push(...ds);
  }

  /** Empties the waiting line (the caller ends them). */
  takeWaiting(): Delivery[] {
    const out = this.waiting;
    this.waiting = [];
    return out;
  }

  /**
   * Starts waiting deliveries, in order, while the global and their account's connection limits allow.
   * Those of an account that began backing off meanwhile, or all of them once dispatch is paused, go
   * back to the queue unattempted.
   */
  startWaiting(): void {
    const { ledger, config } = this.deps;
    if (this.waiting.length > 0 && this.deps.paused()) {
      for (const d of this.takeWaiting()) this.deps.ended(d, released('paused'));
      return;
    }
    const now = this.now();
    for (let i = 0; i < this.waiting.length && ledger.sending() < config.delivery.maxConcurrency; ) {
      const d = this.waiting[i];
      const via = d.target.kind === 'account' ? d.target.via : null;
      if (via && this.deps.book.backoffUntil(keyOf(via), now) !== null) {
        this.waiting.splice(i, 1);
        this.deps.ended(d, released('account_backoff'));
        continue;
      }
      if (via && ledger.sendingFor(keyOf(via)) >= accountConcurrency(via, config)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      ledger.startSending(d, via ? keyOf(via) : '', now);
      this.deps.attemptStarted({
        seq: d.row.seq,
        account_id: d.row.account_id,
        attempt: d.row.attempts + 1,
        detail: via ? { account: via.id } : { sandbox: true },
      });
      void this.run(d);
    }
  }

  private attemptOf(d: Delivery): SendAttempt | null {
    return d.phase.name === 'sending' ? d.phase.attempt : null;
  }

  private setAttempt(d: Delivery, attempt: SendAttempt | null): void {
    if (d.phase.name === 'sending') d.phase.attempt = attempt;
  }

  private async run(d: Delivery): Promise<void> {
    const stopping = this.stopping.signal;
    let mail: SendMailOptions;
    try {
      mail = await this.build(d, stopping);
    } catch (err) {
      if (stopping.aborted) return this.deps.ended(d, released('shutdown'));
      // an attachment source that may answer later: retried on the schedule (#14.3)
      const failure = buildFailureOf(err);
      const now = this.now();
      return this.deps.ended(d, failure.kind === 'temporary' ? this.temporary(d, failure, now) : buildFailure(d, err, now));
    }
    let reconnected = false;
    for (;;) {
      if (stopping.aborted) return this.deps.ended(d, released('shutdown'));
      const mailer = this.mailerFor(d);
      if (!mailer) return this.deps.ended(d, released('held'));
      const attempt: SendAttempt = { startedMs: performance.now(), controller: new AbortController() };
      this.setAttempt(d, attempt);
      let info: SentInfo;
      try {
        const sending = this.transports.send(mailer, { ...mail, signal: attempt.controller.signal });
        // only now: the pool counts the send, so arming the timer (which closes idle pools) spares it
        this.deps.attemptDeadline(attempt.startedMs + this.deps.config.delivery.sendTimeoutMs);
        info = await sending;
      } catch (err) {
        this.setAttempt(d, null);
        if (stopping.aborted) return this.deps.ended(d, released('shutdown'));
        const timedOut = attempt.controller.signal.reason instanceof SendTimeout;
        const failure = failureOf(err, timedOut ? this.deps.config.delivery.sendTimeoutMs : null);
        const step = afterFailure(failure, { sandbox: d.target.kind === 'sandbox', reconnected });
        if (step.kind === 'reconnect') {
          reconnected = true;
          continue;
        }
        const now = this.now();
        if (step.backOff) this.backOff(d, failure.text, now);
        if (step.failover && (await this.failover(d, failure, now))) continue;
        return this.deps.ended(d, step.permanent ? errorOutcome(d, failure, 'permanent', now) : this.temporary(d, failure, now));
      }
      this.setAttempt(d, null);
      return this.deps.ended(d, sentOutcome(d, info, this.now()));
    }
  }

  /** The pool of the delivery's account, or of the sandbox sink (null: no sink listens). */
  private mailerFor(d: Delivery): PoolMailer | null {
    if (d.target.kind === 'account') return this.transports.forAccount(d.target.via);
    const sink = this.deps.sandboxTarget();
    return sink ? this.transports.forSandbox(sink) : null;
  }

  private async build(d: Delivery, stopping: AbortSignal): Promise<SendMailOptions> {
    const source = d.row.source_captured_id;
    if (source !== null) {
      const raw = await this.deps.captured.raw(source);
      if (!raw) throw new MessageBuildError(`captured message ${source} is no longer available`);
      return buildRawMail(d.payload, raw);
    }
    const attachments = await this.attachments.resolve(d.payload.attachments, { tenantId: d.row.tenant_id, signal: stopping });
    return buildMail(d.payload, attachments);
  }

  private temporary(d: Delivery, failure: FailureClass, now: number): Outcome {
    const via = d.target.kind === 'account' ? keyOf(d.target.via) : null;
    const backoffUntil = via ? this.deps.book.backoffUntil(via, now) : null;
    return temporaryOutcome(d, failure, now, this.deps.config.delivery, this.deps.random, backoffUntil);
  }

  private backOff(d: Delivery, error: string, now: number): void {
    if (d.target.kind !== 'account') return;
    const { tenant_id, id } = d.target.via;
    const r = this.deps.book.backOff(keyOf(d.target.via), error, now, (n) => backoffDelay(this.deps.config.delivery, n, this.deps.random));
    if (!r.started) return;
    this.deps.logger.warn({ tenant_id, account_id: id, until: r.until, error }, 'account backing off after a connection failure');
    this.deps.backoffStarted(d.target.via, r.until, error);
  }

  /** Moves a delivery to the next account of its route after a temporary failure; false when none can take it. */
  private async failover(d: Delivery, failure: FailureClass, now: number): Promise<boolean> {
    if (d.target.kind !== 'account') return false;
    const from = d.target.via;
    const tried = new Set([...d.target.failover.map((f) => keyOf({ tenant_id: from.tenant_id, id: f.account })), keyOf(from)]);
    for (;;) {
      const pick = pickAccount(d.target.route, tried, this.deps.state, now);
      if (pick.kind !== 'account') return false;
      // the send goes on over a connection of the next account, once it holds a slot there
      if (await this.deps.failoverTo(d, pick.account, now)) {
        d.target.failover.push({ account: from.id, error: failure.text });
        this.deps.logger.info({ message_id: d.row.id, from: from.id, to: pick.account.id, error: failure.text }, 'failover');
        return true;
      }
      tried.add(keyOf(pick.account));
    }
  }

  /** Aborts attempts that have run past the send timeout (a server trickling or hanging mid-DATA). */
  abortOverdue(): void {
    const limit = this.deps.config.delivery.sendTimeoutMs;
    const t = performance.now();
    for (const d of this.deps.ledger.all()) {
      const a = this.attemptOf(d);
      if (a && !a.controller.signal.aborted && t - a.startedMs >= limit) a.controller.abort(new SendTimeout('send timeout'));
    }
  }

  /** performance.now() at which the next running attempt times out, or null. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const d of this.deps.ledger.all()) {
      const a = this.attemptOf(d);
      if (!a || a.controller.signal.aborted) continue;
      const at = a.startedMs + this.deps.config.delivery.sendTimeoutMs;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** The relay stops: every delivery abandons its work. */
  abortAll(): void {
    this.stopping.abort(new Error('relay stopping'));
    for (const d of this.deps.ledger.all()) this.attemptOf(d)?.controller.abort(new Error('relay stopping'));
  }

  verify(account: Account): Promise<VerifyResult> {
    return this.transports.verify(account);
  }

  /** by account key */
  poolOpen(key: string): boolean {
    return this.transports.openPools().includes(`account:${key}`);
  }

  /** Closes idle pools; returns when the next one becomes idle (clock ms), or null. */
  closeIdle(): number | null {
    return this.transports.closeIdle();
  }

  close(): void {
    this.transports.closeAll();
    this.attachments.close();
  }
}
