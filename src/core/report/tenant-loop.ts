import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { ReportOutcome } from '../events.js';
import type { ExclusivePort, PendingReport, ReportsPort } from '../store/ports.js';
import { ReportBoard, type TenantReportState } from './report-status.js';
import { postDeliveryReport, SyncFailure, type SyncAnswer, type SyncTarget } from './sync-client.js';
import { acknowledgement, type AckPolicy } from './sync-decisions.js';
import { SyncSchedule, type ReporterTiming } from './sync-schedule.js';

/** Pending outcomes are counted up to this many for a status (the count walks an index). */
export const PENDING_COUNT_CAP = 10_000;

export interface TenantLoopDeps {
  tenantId: string;
  reports: Pick<ReportsPort, 'pending' | 'markReported' | 'countPending'>;
  /** several relays on one database: a sync runs holding this tenant's report lock, or not at all */
  exclusive?: ExclusivePort;
  /** where to sync now; null: nowhere (no destination, or the relay is paused) */
  target: () => SyncTarget | null;
  /** the heartbeat interval */
  intervalMs: () => number;
  policy: AckPolicy;
  testMode: boolean;
  batchSize: number;
  /** the sync POST's timeout: above Genropy's 60 s add-messages wait, which runs inside it */
  timeoutMs: number;
  timing: ReporterTiming;
  clock: Clock;
  logger: Logger;
  /** log each sync at info level (`log_delivery_activity`) */
  logActivity: boolean;
  /** after every sync, acknowledged or not */
  onOutcome?: (outcome: ReportOutcome) => void;
  /** how a batch is posted (default: proxy_sync's `{"delivery_report": [...]}`) */
  post?: typeof postDeliveryReport;
}

/** Monotonic milliseconds for scheduling; timestamps written anywhere come from the clock. */
const mono = () => performance.now();

/**
 * One application's proxy_sync loop: its timer, its open POST, its backoff and its status. Loops
 * share nothing but the store, so one tenant's hanging endpoint never delays another's reports.
 */
export class TenantLoop {
  readonly board = new ReportBoard();
  private readonly schedule: SyncSchedule;
  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private syncRun: Promise<void> | null = null;
  private inFlight: AbortController | null = null;
  private pendingCount = 0;
  /** the count under way, and the one callers arriving meanwhile share */
  private counting: Promise<unknown> | null = null;
  private nextCount: Promise<number> | null = null;
  /** another relay holds this destination: no try before this (monotonic ms) */
  private heldElsewhereUntil = 0;

  constructor(private readonly deps: TenantLoopDeps) {
    this.schedule = new SyncSchedule(deps.timing);
  }

  get tenantId(): string {
    return this.deps.tenantId;
  }

  /** consecutive failed syncs */
  get failures(): number {
    return this.schedule.failures;
  }

  get syncing(): boolean {
    return this.syncRun !== null;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    void this.countPending();
    this.reschedule();
  }

  /** Ends the loop; an open POST is aborted and marks nothing. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    this.clearTimer();
    this.inFlight?.abort();
    await Promise.allSettled([this.syncRun]);
    this.started = false;
  }

  /** Final outcomes may be waiting (the engine recorded some): a sync soon if this tenant has any. */
  outcomesMayWait(): void {
    void this.countPending().then((n) => {
      if (n === 0) return;
      this.schedule.wake();
      this.schedule.pendingKnown(true);
      this.armSoon();
    });
  }

  /** The application asked for a sync (run-now): one soon, even with nothing to report. */
  requestSync(): void {
    this.schedule.wake();
    // the count only spaces the syncs: with nowhere to sync (no destination, or paused) nobody reads it
    if (this.deps.target() !== null) void this.countPending().then((n) => this.schedule.pendingKnown(n > 0));
    this.armSoon();
  }

  /** An operator's "retry now": through backoff and quiet periods. */
  force(): void {
    this.schedule.force();
    if (!this.syncRun) this.armTimer(mono());
  }

  /** A new destination: no inherited backoff or quiet period; a POST open to the old one is dropped. */
  retarget(): void {
    this.schedule.retarget();
    this.board.retargeted();
    this.inFlight?.abort();
    this.refresh();
  }

  /** What the schedule depends on may have changed (pause, interval): plan again. */
  refresh(): void {
    this.clearTimer();
    this.reschedule();
  }

  /** epoch seconds of the next planned sync; null while syncing, stopped or without a destination */
  nextAttemptTs(): number | null {
    return this.started && !this.syncRun ? this.epochOf(this.nextSyncAt(mono())) : null;
  }

  view(url: string): TenantReportState {
    const quiet = this.schedule.quietUntilAt;
    return this.board.tenantView({
      id: this.deps.tenantId,
      url,
      paused: this.deps.target() === null,
      failures: this.failures,
      syncing: this.syncing,
      nextAttemptTs: this.nextAttemptTs(),
      quietUntilTs: quiet > mono() ? this.epochOf(quiet) : null,
      pending: this.pendingCount,
    });
  }

  /**
   * A count that starts after this call. Wakes come with every outcome batch of every relay sharing the
   * database: callers arriving while a count runs share the one after it (at most one runs, one waits).
   */
  private countPending(): Promise<number> {
    if (!this.counting) return this.startCount();
    this.nextCount ??= this.counting.then(() => {
      this.nextCount = null;
      return this.startCount();
    });
    return this.nextCount;
  }

  private startCount(): Promise<number> {
    const count = this.deps.reports.countPending(this.deps.tenantId, PENDING_COUNT_CAP).then(
      (n) => (this.pendingCount = n),
      // the sync reads them anyway; assume some wait
      () => 1,
    );
    const tracked: Promise<unknown> = count.finally(() => {
      if (this.counting === tracked) this.counting = null;
    });
    this.counting = tracked;
    return count;
  }

  private nextSyncAt(now: number): number {
    const { target, testMode, intervalMs } = this.deps;
    const at = this.schedule.nextAt(now, { hasTarget: target() !== null, testMode, intervalMs: intervalMs() });
    return at === Infinity ? at : Math.max(at, this.heldElsewhereUntil);
  }

  private epochOf(at: number): number | null {
    if (at === Infinity) return null;
    return nowSec(this.deps.clock) + Math.max(0, Math.ceil((at - mono()) / 1000));
  }

  private armSoon(): void {
    if (!this.syncRun) this.armTimer(mono() + this.deps.timing.wakeDebounceMs);
  }

  private armTimer(at: number): void {
    if (!this.started || this.stopping || at === Infinity) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.ceil(at - mono())));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private reschedule(): void {
    if (this.started && !this.stopping && !this.syncRun) this.armTimer(this.nextSyncAt(mono()));
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (!this.started || this.stopping) return;
    const now = mono();
    if (!this.syncRun && this.nextSyncAt(now) <= now) {
      this.syncRun = this.syncOnce()
        .catch((err) => this.deps.logger.error({ err }, 'report loop failed'))
        .finally(() => {
          this.syncRun = null;
          void this.countPending();
          this.reschedule();
        });
    }
    this.reschedule();
  }

  /** One sync while holding the destination's lock; another relay holding it syncs instead, this one tries later. */
  private async syncOnce(): Promise<void> {
    const { exclusive, timing } = this.deps;
    if (!exclusive) return this.syncHeld();
    const run = await exclusive.runExclusive(`report:${this.deps.tenantId}`, () => this.syncHeld());
    if (run.ran) this.heldElsewhereUntil = 0;
    else if (run.reason === 'unavailable') this.recordFailure(new SyncFailure('could not take the report lock: the database is unreachable'), 0);
    else this.heldElsewhereUntil = mono() + Math.min(timing.backoffBaseMs, this.deps.intervalMs());
  }

  private async syncHeld(): Promise<void> {
    const dest = this.deps.target();
    if (!dest) return;
    const { reports, tenantId, clock } = this.deps;
    const batchSize = Math.max(1, this.deps.batchSize);
    // what asked for this sync is covered by what is read now
    this.schedule.begin();
    let batch: PendingReport[];
    try {
      batch = await reports.pending(tenantId, batchSize);
    } catch (err) {
      // a storage failure waits out the same backoff as an unreachable application
      this.recordFailure(new SyncFailure(`could not read the outcomes to report: ${errorMessage(err)}`), 0);
      return;
    }
    const controller = new AbortController();
    this.inFlight = controller;
    let answer: SyncAnswer;
    try {
      answer = await (this.deps.post ?? postDeliveryReport)(
        dest,
        batch.map((b) => b.item),
        { timeoutMs: this.deps.timeoutMs, signal: controller.signal, nowSec: nowSec(clock) },
      );
    } catch (err) {
      // aborted by stop() or a new destination: not the application's failure
      if (!controller.signal.aborted) this.recordFailure(err, batch.length);
      return;
    } finally {
      this.inFlight = null;
    }
    if (this.stopping || controller.signal.aborted) return;
    const verdict = acknowledgement(answer, this.deps.policy);
    if (verdict.kind === 'refused') {
      this.recordFailure(new SyncFailure(verdict.reason, answer.status), batch.length);
      return;
    }
    await this.acknowledge(batch, answer, batchSize);
  }

  private async acknowledge(batch: PendingReport[], answer: SyncAnswer, batchSize: number): Promise<void> {
    const { logger, clock } = this.deps;
    const ts = nowSec(clock);
    try {
      await this.deps.reports.markReported(batch, ts);
    } catch (err) {
      // the application has them; they will be reported once more (at-least-once)
      this.recordFailure(new SyncFailure(`acknowledged, but could not be recorded: ${errorMessage(err)}`, answer.status), batch.length);
      return;
    }
    this.schedule.succeeded(mono(), { reported: batch.length, batchSize, queued: answer.queued, nextSyncAfterSeconds: answer.nextSyncAfterSeconds });
    const outcome = this.board.succeeded(ts, batch.length, answer);
    const detail = { reported: batch.length, status: answer.status, queued: answer.queued };
    if (!answer.json) logger.warn(detail, 'delivery report acknowledged with a non-JSON answer');
    if (answer.notFoundIds.length > 0) {
      logger.warn({ not_found: answer.notFoundIds.slice(0, 20), count: answer.notFoundIds.length }, 'the application does not know some reported messages');
    }
    if (this.deps.logActivity) logger.info(detail, batch.length ? 'delivery report sent' : 'sync heartbeat sent');
    else logger.debug(detail, 'delivery report sent');
    this.deps.onOutcome?.(outcome);
  }

  private recordFailure(err: unknown, items: number): void {
    const { logger, clock } = this.deps;
    const message = errorMessage(err);
    const retryAt = this.schedule.failed(mono(), this.deps.intervalMs());
    const { outcome, changed } = this.board.failed(nowSec(clock), message, err instanceof SyncFailure ? err.status : undefined);
    const failures = this.schedule.failures;
    const detail = { error: message, items, failures, retry_in_s: Math.round((retryAt - mono()) / 1000) };
    if (failures === 1 || changed) logger.warn(detail, 'delivery report failed; will retry');
    else logger.debug(detail, 'delivery report failed again');
    this.deps.onOutcome?.(outcome);
  }
}
