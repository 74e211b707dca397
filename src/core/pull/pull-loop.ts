import type { Logger } from 'pino';
import type { FetchAck } from '../../shared/api/pull.js';
import { errorMessage } from '../errors.js';
import type { RelayBus } from '../events.js';
import type { MessagesService } from '../services/messages.js';
import { ADMIN } from '../tenants/principal.js';
import { fetchMessages, PullFailure, postFetchAck, type PullTarget } from './pull-client.js';
import { ackVerdict, DEFAULT_PULL_TIMING, fetchAckOf, nextPoll, servedId, type CycleResult, type PullTiming } from './pull-decisions.js';

/** add-messages takes at most this many; the rest is not acknowledged, so the application serves it again */
export const PULL_BATCH_LIMIT = 1000;

export interface PullLoopDeps {
  /** the application now; null: none (not configured, or the relay is paused) */
  target: () => PullTarget | null;
  /** the one way in for messages: add-messages' parsing and the intake behind it */
  messages: Pick<MessagesService, 'add'>;
  /** commits, run-now and resumes announce `dispatch.wake`: each is a reason to poll soon */
  bus: Pick<RelayBus, 'on' | 'off'>;
  timeoutMs: number;
  logger: Logger;
  timing?: Partial<PullTiming>;
}

export interface PullStatus {
  failures: number;
  last_error: string | null;
  fetched: number;
  /** the application answers 404/405 to /fetch-ack: it hands each message out once */
  acks_unsupported: boolean;
}

/**
 * Pull mode: polls `<fetch_url>/fetch-messages`, queues what it gets through add-messages, then
 * acknowledges the committed batch with `/fetch-ack` (never before: a crash in between loses nothing, the
 * application serves the batch again, and the store's enqueue rules keep one row per id).
 */
export class PullLoop {
  private readonly timing: PullTiming;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private running: Promise<void> | null = null;
  private controller: AbortController | null = null;
  private started = false;
  private backingOff = false;
  /** a committed batch whose ack did not get through: sent again before anything is fetched */
  private pendingAck: FetchAck | null = null;
  private readonly state: PullStatus = { failures: 0, last_error: null, fetched: 0, acks_unsupported: false };
  private readonly onWake = () => this.wake();

  constructor(private readonly deps: PullLoopDeps) {
    this.timing = { ...DEFAULT_PULL_TIMING, ...deps.timing };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.deps.bus.on('dispatch.wake', this.onWake);
    this.arm(0);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.deps.bus.off('dispatch.wake', this.onWake);
    this.clearTimer();
    this.controller?.abort();
    await Promise.allSettled([this.running]);
  }

  /** Poll soon (not through a backoff: the application is down until it answers again). */
  wake(): void {
    if (!this.backingOff && !this.running) this.arm(this.timing.wakeDebounceMs);
  }

  status(): PullStatus {
    return { ...this.state };
  }

  private arm(ms: number): void {
    if (!this.started) return;
    const at = Date.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (!this.started || this.running) return;
    this.running = this.cycle()
      .catch((err): CycleResult => this.failed(err))
      .then((result) => {
        this.running = null;
        const next = nextPoll(result, this.timing);
        this.backingOff = next.kind === 'backoff';
        this.arm(next.kind === 'now' ? 0 : next.ms);
      });
  }

  private async cycle(): Promise<CycleResult> {
    const target = this.deps.target();
    // paused or not configured: look again later (a resume wakes the loop)
    if (!target) return { kind: 'fetched', count: 0, limit: PULL_BATCH_LIMIT };
    const controller = new AbortController();
    this.controller = controller;
    const opts = { timeoutMs: this.deps.timeoutMs, signal: controller.signal };
    if (this.pendingAck) {
      await this.acknowledge(target, this.pendingAck, opts);
      if (this.pendingAck) return this.failed(new PullFailure(this.state.last_error ?? 'fetch-ack failed'));
    }
    const served = await fetchMessages(target, opts);
    if (!this.started) return { kind: 'fetched', count: 0, limit: PULL_BATCH_LIMIT };
    const batch = served.slice(0, PULL_BATCH_LIMIT);
    if (batch.length > 0) {
      // the same path as POST /commands/add-messages: a bad message is rejected alone, with its reason
      const result = await this.deps.messages.add(ADMIN, { messages: batch });
      const ack = fetchAckOf(batch.map(servedId), result);
      this.state.fetched += batch.length;
      this.pendingAck = ack;
      if (result.rejected.length > 0) this.deps.logger.warn({ rejected: result.rejected.slice(0, 20), count: result.rejected.length }, 'pull mode: the application served messages the relay refused');
      await this.acknowledge(target, ack, opts);
      if (this.pendingAck) return this.failed(new PullFailure(this.state.last_error ?? 'fetch-ack failed'));
    }
    this.state.failures = 0;
    this.state.last_error = null;
    return { kind: 'fetched', count: served.length, limit: PULL_BATCH_LIMIT };
  }

  private async acknowledge(target: PullTarget, ack: FetchAck, opts: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
    let status: number | null = 200;
    let problem = '';
    try {
      await postFetchAck(target, ack, opts);
    } catch (err) {
      status = err instanceof PullFailure ? (err.status ?? null) : null;
      problem = errorMessage(err);
    }
    const verdict = ackVerdict(status, problem);
    if (verdict.kind === 'retry') {
      this.state.last_error = verdict.reason;
      return;
    }
    if (verdict.kind === 'unsupported' && !this.state.acks_unsupported) {
      this.deps.logger.warn('pull mode: the application takes no /fetch-ack; it must hand out each message once');
    }
    this.state.acks_unsupported = verdict.kind === 'unsupported';
    this.pendingAck = null;
  }

  private failed(err: unknown): CycleResult {
    this.state.failures += 1;
    this.state.last_error = errorMessage(err);
    const detail = { error: this.state.last_error, failures: this.state.failures };
    if (this.state.failures === 1) this.deps.logger.warn(detail, 'pull mode: the application did not answer; backing off');
    else this.deps.logger.debug(detail, 'pull mode: the application still does not answer');
    return { kind: 'failed', failures: this.state.failures };
  }
}
