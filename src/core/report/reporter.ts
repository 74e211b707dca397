import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import type { RelayConfig } from '../config/types.js';
import { errorMessage } from '../errors.js';
import type { RelayBus, ReportOutcome } from '../events.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { DEFAULT_TENANT, type MessagesPort, type PendingReport, type ReportsPort } from '../store/ports.js';
import { ReportBoard, type ReportStatus } from './report-status.js';
import { Retention, type RetentionResult } from './retention.js';
import { postDeliveryReport, SyncFailure, type SyncAnswer, type SyncTarget } from './sync-client.js';
import { DEFAULT_REPORTER_TIMING, SyncSchedule, type ReporterTiming } from './sync-schedule.js';

export type { ReportStatus } from './report-status.js';
export { DEFAULT_REPORTER_TIMING, type ReporterTiming } from './sync-schedule.js';

/** The proxy_sync loop: reports final outcomes to the application and applies retention. */
export interface Reporter {
  start(): void;
  stop(): Promise<void>;
  /** final outcomes may be waiting, or the application wants a sync (run-now): sync when allowed */
  wake(): void;
  /** sync at once, even during a retry backoff or a do-not-disturb period (an operator's "retry now") */
  syncNow(): void;
  lastResult(): ReportOutcome | null;
  status(): ReportStatus;
  /** genro-mail-proxy cleanup-messages (of one tenant, if given); resolves to the number of messages removed */
  cleanup(olderThanSeconds: number | null | undefined, tenantId?: string): Promise<number>;
  /** one retention pass now (it also runs on its own every `retentionIntervalMs`) */
  runRetention(): Promise<RetentionResult>;
}

export interface ReporterDeps {
  reports: ReportsPort;
  messages: Pick<MessagesPort, 'purgeReported'>;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'emit' | 'on' | 'off'>;
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  timing?: Partial<ReporterTiming>;
}

/** Monotonic milliseconds for scheduling; timestamps written anywhere come from the clock. */
const mono = () => performance.now();

export function createReporter(deps: ReporterDeps): Reporter {
  const { reports, bus, settings, logger, config, clock } = deps;
  const timing: ReporterTiming = { ...DEFAULT_REPORTER_TIMING, ...deps.timing };
  const retention = new Retention({ messages: deps.messages, reports, settings, clock });
  const schedule = new SyncSchedule(timing);
  const board = new ReportBoard();

  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let syncRun: Promise<void> | null = null;
  let retentionRun: Promise<RetentionResult> | null = null;
  let retentionDueAt = Infinity;
  let inFlight: AbortController | null = null;
  let targetKey = targetIdentity();

  function target(): SyncTarget | null {
    const s = settings.current();
    if (!s.client_sync_url || s.paused) return null;
    return { url: s.client_sync_url, user: s.client_sync_user, password: s.client_sync_password, token: s.client_sync_token };
  }

  function targetIdentity(): string {
    const s = settings.current();
    return JSON.stringify([s.client_sync_url, s.client_sync_user, s.client_sync_password, s.client_sync_token]);
  }

  const intervalMs = () => Math.max(1, settings.current().report_interval_seconds) * 1000;
  const nextSyncAt = (now: number) => schedule.nextAt(now, { hasTarget: target() !== null, testMode: config.testMode, intervalMs: intervalMs() });

  function armTimer(at: number): void {
    if (!started || stopping || at === Infinity) return;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, Math.max(0, Math.ceil(at - mono())));
    timer.unref();
  }

  function reschedule(): void {
    if (!started || stopping) return;
    if (!syncRun) armTimer(nextSyncAt(mono()));
    if (!retentionRun) armTimer(retentionDueAt);
  }

  function tick(): void {
    timer = null;
    timerAt = Infinity;
    if (!started || stopping) return;
    const now = mono();
    if (!retentionRun && now >= retentionDueAt) void startRetention();
    if (!syncRun && nextSyncAt(now) <= now) {
      syncRun = syncOnce()
        .catch((err) => logger.error({ err }, 'report loop failed'))
        .finally(() => {
          syncRun = null;
          reschedule();
        });
    }
    reschedule();
  }

  function startRetention(): Promise<RetentionResult> {
    retentionDueAt = Infinity;
    retentionRun = retention
      .run()
      .then((r) => {
        board.retention(r, nowSec(clock));
        if (r.reported + r.unreported + r.send_log + r.orphan_events > 0) logger.debug(r, 'retention pass');
        return r;
      })
      .catch((err) => {
        logger.error({ err }, 'retention pass failed');
        return { reported: 0, unreported: 0, send_log: 0, orphan_events: 0 };
      })
      .finally(() => {
        retentionRun = null;
        retentionDueAt = mono() + timing.retentionIntervalMs;
        reschedule();
      });
    return retentionRun;
  }

  async function syncOnce(): Promise<void> {
    const dest = target();
    if (!dest) return;
    const batchSize = Math.max(1, config.client.batchSize);
    // what asked for this sync is covered by what is read now
    schedule.begin();
    let batch: PendingReport[];
    try {
      batch = await reports.pending(DEFAULT_TENANT, batchSize);
    } catch (err) {
      // a storage failure waits out the same backoff as an unreachable application
      recordFailure(new SyncFailure(`could not read the outcomes to report: ${errorMessage(err)}`), 0);
      return;
    }
    const controller = new AbortController();
    inFlight = controller;
    let answer: SyncAnswer;
    try {
      answer = await postDeliveryReport(
        dest,
        batch.map((b) => b.item),
        { timeoutMs: config.client.timeoutMs, signal: controller.signal, nowSec: nowSec(clock) },
      );
    } catch (err) {
      if (!stopping) recordFailure(err, batch.length);
      return;
    } finally {
      inFlight = null;
    }
    if (stopping) return;
    await acknowledge(batch, answer, batchSize);
  }

  async function acknowledge(batch: PendingReport[], answer: SyncAnswer, batchSize: number): Promise<void> {
    const ts = nowSec(clock);
    try {
      await reports.markReported(batch, ts);
    } catch (err) {
      // the application has them; they will be reported once more (at-least-once)
      recordFailure(new SyncFailure(`acknowledged, but could not be recorded: ${errorMessage(err)}`, answer.status), batch.length);
      return;
    }
    schedule.succeeded(mono(), { reported: batch.length, batchSize, queued: answer.queued, nextSyncAfterSeconds: answer.nextSyncAfterSeconds });
    const outcome = board.succeeded(ts, batch.length, answer);
    const detail = { reported: batch.length, status: answer.status, queued: answer.queued };
    if (!answer.json) logger.warn(detail, 'delivery report acknowledged with a non-JSON answer');
    if (answer.notFoundIds.length > 0) {
      logger.warn({ not_found: answer.notFoundIds.slice(0, 20), count: answer.notFoundIds.length }, 'the application does not know some reported messages');
    }
    if (config.logDeliveryActivity) logger.info(detail, batch.length ? 'delivery report sent' : 'sync heartbeat sent');
    else logger.debug(detail, 'delivery report sent');
    bus.emit('report', outcome);
  }

  function recordFailure(err: unknown, items: number): void {
    const message = errorMessage(err);
    const retryAt = schedule.failed(mono(), intervalMs());
    const { outcome, changed } = board.failed(nowSec(clock), message, err instanceof SyncFailure ? err.status : undefined);
    const failures = schedule.failures;
    const detail = { error: message, items, failures, retry_in_s: Math.round((retryAt - mono()) / 1000) };
    if (failures === 1 || changed) logger.warn(detail, 'delivery report failed; will retry');
    else logger.debug(detail, 'delivery report failed again');
    bus.emit('report', outcome);
  }

  // resuming wakes the reporter through report.wake (announced with the settings change)
  function onSettings(): void {
    const key = targetIdentity();
    if (key !== targetKey) {
      targetKey = key;
      schedule.retarget();
      board.retargeted();
    }
    if (timer) {
      clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
    }
    reschedule();
  }

  function epochOf(at: number): number | null {
    if (at === Infinity) return null;
    return nowSec(clock) + Math.max(0, Math.ceil((at - mono()) / 1000));
  }

  return {
    start() {
      if (started) return;
      started = true;
      stopping = false;
      bus.on('settings', onSettings);
      retention.resume();
      retentionDueAt = mono() + timing.retentionInitialDelayMs;
      reschedule();
    },

    async stop() {
      if (!started) return;
      stopping = true;
      bus.off('settings', onSettings);
      if (timer) clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
      retention.stop();
      inFlight?.abort();
      await Promise.allSettled([syncRun, retentionRun]);
      started = false;
    },

    wake() {
      schedule.wake();
      // an empty report asked for by a wake keeps its spacing: look whether anything waits
      reports.pending(DEFAULT_TENANT, 1).then(
        (p) => schedule.pendingKnown(p.length > 0),
        () => schedule.pendingKnown(true),
      );
      if (!syncRun) armTimer(mono() + timing.wakeDebounceMs);
    },

    syncNow() {
      schedule.force();
      if (!syncRun) armTimer(mono());
    },

    lastResult: () => board.last,

    status: () =>
      board.view({
        settings: settings.current(),
        failures: schedule.failures,
        syncing: syncRun !== null,
        nextAttemptTs: started && !syncRun ? epochOf(nextSyncAt(mono())) : null,
      }),

    cleanup: (olderThanSeconds, tenantId) => retention.cleanup(olderThanSeconds, tenantId),

    runRetention() {
      return retentionRun ?? startRetention();
    },
  };
}
