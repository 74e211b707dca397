import { performance } from 'node:perf_hooks';
import { nowSec } from '../clock.js';
import type { RelayContext } from '../context.js';
import { errorMessage } from '../errors.js';
import type { ReportOutcome } from '../events.js';
import type { PendingReport } from '../store/ports.js';
import { Retention, type RetentionResult } from './retention.js';
import { postDeliveryReport, SyncFailure, type SyncAnswer, type SyncTarget } from './sync-client.js';

/** What the UI, the status command and GET /api/stats show about reporting. */
export interface ReportStatus {
  /** a sync URL is configured */
  enabled: boolean;
  paused: boolean;
  /** the sync URL without credentials */
  url: string | null;
  /** disabled: no URL; paused; idle: no sync yet; ok: the last sync was acknowledged; failing */
  state: 'disabled' | 'paused' | 'idle' | 'ok' | 'failing';
  syncing: boolean;
  last: ReportOutcome | null;
  last_success_ts: number | null;
  /** when the current run of failures started, null when the last sync succeeded */
  failing_since: number | null;
  consecutive_failures: number;
  last_error: string | null;
  /** epoch seconds of the next planned sync (heartbeat, retry or follow-up), null when none */
  next_attempt_ts: number | null;
  /** what the application said in its last acknowledgement */
  last_answer: { queued: number; error_ids: number; not_found_ids: number; json: boolean } | null;
  /** the last retention pass */
  retention: (RetentionResult & { ts: number }) | null;
}

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
  /** genro-mail-proxy cleanup-messages; resolves to the number of messages removed */
  cleanup(olderThanSeconds: number | null | undefined): Promise<number>;
  /** one retention pass now (it also runs on its own every `retentionIntervalMs`) */
  runRetention(): Promise<RetentionResult>;
}

export interface ReporterTiming {
  /** first retry delay after a failed sync; doubles up to the cap */
  backoffBaseMs: number;
  /** longest retry delay (also never longer than the heartbeat interval) */
  backoffCapMs: number;
  /** how often retention runs */
  retentionIntervalMs: number;
  /** first retention pass after start */
  retentionInitialDelayMs: number;
  /** a wake waits this long so that a burst of outcomes goes in one report */
  wakeDebounceMs: number;
  /** an empty report asked for by a wake waits this long after the previous sync */
  minEmptySyncSpacingMs: number;
  /** longest do-not-disturb period accepted from `next_sync_after` */
  maxNextSyncAfterMs: number;
}

export const DEFAULT_REPORTER_TIMING: ReporterTiming = {
  backoffBaseMs: 5_000,
  backoffCapMs: 300_000,
  retentionIntervalMs: 60_000,
  retentionInitialDelayMs: 2_000,
  wakeDebounceMs: 50,
  minEmptySyncSpacingMs: 1_000,
  maxNextSyncAfterMs: 86_400_000,
};

/** After this many back-to-back follow-up syncs (`queued` > 0), the next one waits a second. */
const FOLLOW_UP_BURST = 100;

export interface ReporterDeps {
  ctx: RelayContext;
  timing?: Partial<ReporterTiming>;
}

/** Monotonic milliseconds for scheduling; timestamps written anywhere come from ctx.clock. */
const mono = () => performance.now();

export function createReporter(deps: ReporterDeps): Reporter {
  const { ctx } = deps;
  const { store, bus, settings, logger, config } = ctx;
  const timing: ReporterTiming = { ...DEFAULT_REPORTER_TIMING, ...deps.timing };
  const retention = new Retention(ctx);

  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let syncRun: Promise<void> | null = null;
  let retentionRun: Promise<RetentionResult> | null = null;
  let retentionDueAt = Infinity;
  let inFlight: AbortController | null = null;

  // what asks for a sync
  let wakeRequested = false;
  let forceRequested = false;
  let followUp = false;
  let followUps = 0;
  // what holds it back
  let lastContactAt: number | null = null;
  let failures = 0;
  let retryAt = 0;
  let quietUntil = 0;
  // what is shown
  let last: ReportOutcome | null = null;
  let lastSuccessTs: number | null = null;
  let failingSince: number | null = null;
  let lastError: string | null = null;
  let lastAnswer: ReportStatus['last_answer'] = null;
  let lastRetention: ReportStatus['retention'] = null;
  let targetKey = targetIdentity();
  let wasPaused = settings.current().paused;

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

  /** When the next sync should happen (monotonic ms), Infinity when none is wanted. */
  function nextSyncAt(now: number): number {
    if (!target()) return Infinity;
    if (forceRequested) return now;
    if (failures > 0) return retryAt;
    if (followUp) return followUps > FOLLOW_UP_BURST ? Math.max(now, (lastContactAt ?? now) + 1000) : now;
    // genro-mail-proxy test_mode: no start-up sync and no heartbeat, only what is asked for
    let at = config.testMode ? Infinity : lastContactAt === null ? now : lastContactAt + intervalMs();
    if (wakeRequested) {
      const soon = hasPending() ? now : Math.max(now, (lastContactAt ?? -Infinity) + timing.minEmptySyncSpacingMs);
      at = Math.min(at, soon);
    }
    return Math.max(at, quietUntil);
  }

  function hasPending(): boolean {
    try {
      return store.reports.pending(1).length > 0;
    } catch {
      // the sync itself reads again and reports the storage error
      return true;
    }
  }

  function schedule(at: number): void {
    if (!started || stopping || at === Infinity) return;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, Math.max(0, Math.ceil(at - mono())));
    timer.unref();
  }

  function reschedule(): void {
    if (!started || stopping) return;
    const now = mono();
    if (!syncRun) schedule(nextSyncAt(now));
    if (!retentionRun) schedule(retentionDueAt);
  }

  function tick(): void {
    timer = null;
    timerAt = Infinity;
    if (!started || stopping) return;
    const now = mono();
    if (!retentionRun && now >= retentionDueAt) startRetention();
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
        lastRetention = { ...r, ts: nowSec(ctx.clock) };
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
    let batch: PendingReport[];
    try {
      batch = store.reports.pending(batchSize);
    } catch (err) {
      // a storage failure waits out the same backoff as an unreachable application
      recordFailure(new SyncFailure(`could not read the outcomes to report: ${errorMessage(err)}`), 0);
      return;
    }
    wakeRequested = false;
    forceRequested = false;
    followUp = false;
    const controller = new AbortController();
    inFlight = controller;
    let answer: SyncAnswer;
    try {
      answer = await postDeliveryReport(
        dest,
        batch.map((b) => b.item),
        { timeoutMs: config.client.timeoutMs, signal: controller.signal, nowSec: nowSec(ctx.clock) },
      );
    } catch (err) {
      if (!stopping) recordFailure(err, batch.length);
      return;
    } finally {
      inFlight = null;
    }
    if (stopping) return;
    acknowledge(batch, answer, batchSize);
  }

  function acknowledge(batch: PendingReport[], answer: SyncAnswer, batchSize: number): void {
    const ts = nowSec(ctx.clock);
    try {
      store.reports.markReported(batch, ts);
    } catch (err) {
      // the application has them; they will be reported once more (at-least-once)
      recordFailure(new SyncFailure(`acknowledged, but could not be recorded: ${errorMessage(err)}`, answer.status), batch.length);
      return;
    }
    const now = mono();
    lastContactAt = now;
    failures = 0;
    retryAt = 0;
    failingSince = null;
    lastError = null;
    lastSuccessTs = ts;
    lastAnswer = {
      queued: answer.queued,
      error_ids: answer.errorIds.length,
      not_found_ids: answer.notFoundIds.length,
      json: answer.json,
    };
    followUp = answer.queued > 0 || batch.length >= batchSize;
    followUps = followUp ? followUps + 1 : 0;
    quietUntil =
      !followUp && answer.nextSyncAfterSeconds !== null
        ? now + Math.min(answer.nextSyncAfterSeconds * 1000, timing.maxNextSyncAfterMs)
        : 0;
    last = { ts, ok: true, sent: batch.length, status: answer.status };
    const detail = { reported: batch.length, status: answer.status, queued: answer.queued };
    if (!answer.json) logger.warn(detail, 'delivery report acknowledged with a non-JSON answer');
    if (answer.notFoundIds.length > 0) {
      logger.warn({ not_found: answer.notFoundIds.slice(0, 20), count: answer.notFoundIds.length }, 'the application does not know some reported messages');
    }
    if (config.logDeliveryActivity) logger.info(detail, batch.length ? 'delivery report sent' : 'sync heartbeat sent');
    else logger.debug(detail, 'delivery report sent');
    bus.emit('report', last);
  }

  function recordFailure(err: unknown, items: number): void {
    const ts = nowSec(ctx.clock);
    const message = errorMessage(err);
    const status = err instanceof SyncFailure ? err.status : undefined;
    failures++;
    const cap = Math.max(timing.backoffBaseMs, Math.min(timing.backoffCapMs, intervalMs()));
    const delay = Math.min(cap, timing.backoffBaseMs * 2 ** Math.min(failures - 1, 30));
    retryAt = mono() + delay * (0.9 + Math.random() * 0.2);
    failingSince ??= ts;
    const changed = message !== lastError;
    lastError = message;
    last = { ts, ok: false, sent: 0, ...(status !== undefined ? { status } : {}), error: message };
    const detail = { error: message, items, failures, retry_in_s: Math.round((retryAt - mono()) / 1000) };
    if (failures === 1 || changed) logger.warn(detail, 'delivery report failed; will retry');
    else logger.debug(detail, 'delivery report failed again');
    bus.emit('report', last);
  }

  function onSettings(): void {
    const key = targetIdentity();
    if (key !== targetKey) {
      // a new destination starts fresh: no inherited backoff or quiet period, sync soon
      targetKey = key;
      failures = 0;
      retryAt = 0;
      quietUntil = 0;
      failingSince = null;
      lastContactAt = null;
    }
    const paused = settings.current().paused;
    // on resume, outcomes that piled up during the pause go out at once
    if (wasPaused && !paused) wakeRequested = true;
    wasPaused = paused;
    if (timer) {
      clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
    }
    reschedule();
  }

  function epochOf(at: number): number | null {
    if (at === Infinity) return null;
    return nowSec(ctx.clock) + Math.max(0, Math.ceil((at - mono()) / 1000));
  }

  function redact(url: string | null): string | null {
    if (!url) return null;
    try {
      const u = new URL(url);
      u.username = '';
      u.password = '';
      return u.toString();
    } catch {
      return url;
    }
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
      wakeRequested = true;
      if (!syncRun) schedule(mono() + timing.wakeDebounceMs);
    },

    syncNow() {
      forceRequested = true;
      if (!syncRun) schedule(mono());
    },

    lastResult: () => last,

    status() {
      const s = settings.current();
      const enabled = !!s.client_sync_url;
      const state: ReportStatus['state'] = !enabled
        ? 'disabled'
        : s.paused
          ? 'paused'
          : failures > 0
            ? 'failing'
            : last
              ? 'ok'
              : 'idle';
      return {
        enabled,
        paused: s.paused,
        url: redact(s.client_sync_url),
        state,
        syncing: syncRun !== null,
        last,
        last_success_ts: lastSuccessTs,
        failing_since: failingSince,
        consecutive_failures: failures,
        last_error: lastError,
        next_attempt_ts: started && !syncRun ? epochOf(nextSyncAt(mono())) : null,
        last_answer: lastAnswer,
        retention: lastRetention,
      };
    },

    cleanup: (olderThanSeconds) => retention.cleanup(olderThanSeconds),

    runRetention() {
      return retentionRun ?? startRetention();
    },
  };
}
