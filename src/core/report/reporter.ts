import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import type { RelayConfig } from '../config/types.js';
import type { RelayBus, ReportOutcome } from '../events.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { DEFAULT_TENANT, type ExclusivePort, type MessagesPort, type ReportsPort, type TenantsPort } from '../store/ports.js';
import { TenantLoops } from './loops.js';
import type { ReportStatus, TenantReportState } from './report-status.js';
import { Retention, type RetentionResult } from './retention.js';
import type { postDeliveryReport, SyncTarget } from './sync-client.js';
import type { AckPolicy } from './sync-decisions.js';
import { DEFAULT_REPORTER_TIMING, type ReporterTiming } from './sync-schedule.js';
import { TenantLoop } from './tenant-loop.js';

export type { ReportStatus, TenantReportState } from './report-status.js';
export { DEFAULT_REPORTER_TIMING, type ReporterTiming } from './sync-schedule.js';

/**
 * The proxy_sync loops (the default tenant's, fed by the [client] settings, and one per registered
 * tenant) and retention.
 */
export interface Reporter {
  start(): void;
  stop(): Promise<void>;
  /** final outcomes may be waiting: the default tenant's loop syncs soon, a tenant's loop if it has some */
  wake(): void;
  /** genro-mail-proxy run-now: that tenant's loop (null: every loop) syncs soon, even with nothing to report */
  runNow(tenantId: string | null): void;
  /** sync at once, even during a retry backoff or a do-not-disturb period (an operator's "retry now") */
  syncNow(): void;
  /** the default tenant's last sync */
  lastResult(): ReportOutcome | null;
  status(): ReportStatus;
  /** a registered tenant's loop; null when it has none (inactive, no client_base_url, unknown) */
  tenantReport(tenantId: string): TenantReportState | null;
  /** genro-mail-proxy cleanup-messages (of one tenant, if given); resolves to the number of messages removed */
  cleanup(olderThanSeconds: number | null | undefined, tenantId?: string): Promise<number>;
  /** one retention pass now (it also runs on its own every `retentionIntervalMs`) */
  runRetention(): Promise<RetentionResult>;
}

export interface ReporterDeps {
  reports: ReportsPort;
  messages: Pick<MessagesPort, 'purgeReported'>;
  /** the registered tenants; without it only the default tenant is reported */
  tenants?: Pick<TenantsPort, 'list'>;
  /** several relays on one database: one reports a destination (and runs retention) at a time */
  exclusive?: ExclusivePort;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'emit' | 'on' | 'off'>;
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  timing?: Partial<ReporterTiming>;
  /** where the default tenant's reports go instead of its proxy_sync, and how (pull mode's /delivery-report) */
  defaultSender?: DefaultReportSender;
}

/** A destination of the default tenant's reports other than proxy_sync (registered by the composition root). */
export interface DefaultReportSender {
  /** shown as the default tenant's report URL in the status */
  url: string;
  target(): SyncTarget | null;
  post: typeof postDeliveryReport;
}

const NO_TENANTS: Pick<TenantsPort, 'list'> = { list: async () => [] };

export function createReporter(deps: ReporterDeps): Reporter {
  const { reports, bus, settings, logger, config, clock } = deps;
  const timing: ReporterTiming = { ...DEFAULT_REPORTER_TIMING, ...deps.timing };
  const unreportableTenants = async () => (await (deps.tenants ?? NO_TENANTS).list()).filter((t) => !t.client_base_url).map((t) => t.id);
  const retention = new Retention({ messages: deps.messages, reports, settings, clock, unreportableTenants, exclusive: deps.exclusive });

  const intervalMs = () => Math.max(1, settings.current().report_interval_seconds) * 1000;
  const loopOf = (tenantId: string, target: () => SyncTarget | null, policy: AckPolicy, log: Logger, onOutcome?: (o: ReportOutcome) => void, post?: DefaultReportSender['post']) =>
    new TenantLoop({
      tenantId,
      reports,
      exclusive: deps.exclusive,
      target,
      intervalMs,
      policy,
      testMode: config.testMode,
      batchSize: config.client.batchSize,
      timeoutMs: config.client.timeoutMs,
      timing,
      clock,
      logger: log,
      logActivity: config.logDeliveryActivity,
      onOutcome,
      post,
    });

  function defaultTarget(): SyncTarget | null {
    const s = settings.current();
    if (!s.client_sync_url || s.paused) return null;
    return { url: s.client_sync_url, user: s.client_sync_user, password: s.client_sync_password, token: s.client_sync_token };
  }
  function targetIdentity(): string {
    const s = settings.current();
    return JSON.stringify([s.client_sync_url, s.client_sync_user, s.client_sync_password, s.client_sync_token]);
  }

  // the default tenant's application may be any HTTP service: any 2xx body acknowledges, as before tenants
  const sender = deps.defaultSender;
  const main = loopOf(DEFAULT_TENANT, sender ? () => sender.target() : defaultTarget, 'lenient', logger, (o) => bus.emit('report', o), sender?.post);
  const tenantLoops = new TenantLoops({
    tenants: deps.tenants ?? NO_TENANTS,
    makeLoop: (tenantId, target) => loopOf(tenantId, () => (settings.current().paused ? null : target()), 'genropy', logger.child({ tenant_id: tenantId })),
    logger,
  });
  const every = () => [main, ...tenantLoops.all()];

  let started = false;
  let targetKey = targetIdentity();
  let retentionTimer: NodeJS.Timeout | null = null;
  let retentionRun: Promise<RetentionResult> | null = null;
  let lastWakeCheck: NodeJS.Timeout | null = null;

  function armRetention(delayMs: number): void {
    if (!started) return;
    if (retentionTimer) clearTimeout(retentionTimer);
    retentionTimer = setTimeout(() => {
      retentionTimer = null;
      void startRetention();
    }, delayMs);
    retentionTimer.unref();
  }

  function startRetention(): Promise<RetentionResult> {
    if (retentionTimer) clearTimeout(retentionTimer);
    retentionTimer = null;
    retentionRun = retention
      .run()
      .then((r) => {
        main.board.retention(r, nowSec(clock));
        if (r.reported + r.unreported + r.send_log + r.orphan_events > 0) logger.debug(r, 'retention pass');
        return r;
      })
      .catch((err) => {
        logger.error({ err }, 'retention pass failed');
        return { reported: 0, unreported: 0, send_log: 0, orphan_events: 0 };
      })
      .finally(() => {
        retentionRun = null;
        armRetention(timing.retentionIntervalMs);
      });
    return retentionRun;
  }

  // resuming wakes the reporter through report.wake (announced with the settings change)
  function onSettings(): void {
    const key = targetIdentity();
    if (key !== targetKey) {
      targetKey = key;
      main.retarget();
    } else main.refresh();
    for (const loop of tenantLoops.all()) loop.refresh();
  }

  // the store announces tenants after the commit: loops follow registrations, changes and deletions
  const onTenants = () => void tenantLoops.reload();

  return {
    start() {
      if (started) return;
      started = true;
      targetKey = targetIdentity();
      bus.on('settings', onSettings);
      bus.on('tenants', onTenants);
      retention.resume();
      armRetention(timing.retentionInitialDelayMs);
      main.start();
      void tenantLoops.start();
    },

    async stop() {
      if (!started) return;
      started = false;
      bus.off('settings', onSettings);
      bus.off('tenants', onTenants);
      if (retentionTimer) clearTimeout(retentionTimer);
      if (lastWakeCheck) clearTimeout(lastWakeCheck);
      retentionTimer = lastWakeCheck = null;
      retention.stop();
      await Promise.allSettled([main.stop(), tenantLoops.stop(), retentionRun]);
    },

    wake() {
      // the default tenant's loop keeps its behaviour: a wake is also a sync (spaced when nothing waits)
      main.requestSync();
      // a burst of outcome batches costs the tenant loops one look each
      if (lastWakeCheck || !started) return;
      lastWakeCheck = setTimeout(() => {
        lastWakeCheck = null;
        for (const loop of tenantLoops.all()) loop.outcomesMayWait();
      }, timing.wakeDebounceMs);
      lastWakeCheck.unref();
    },

    runNow(tenantId) {
      if (tenantId === null) for (const loop of every()) loop.requestSync();
      else if (tenantId === DEFAULT_TENANT) main.requestSync();
      else tenantLoops.get(tenantId)?.requestSync();
    },

    syncNow() {
      for (const loop of every()) loop.force();
    },

    lastResult: () => main.board.last,

    status: () => ({
      ...main.board.view({ settings: sender ? { ...settings.current(), client_sync_url: sender.url } : settings.current(), failures: main.failures, syncing: main.syncing, nextAttemptTs: main.nextAttemptTs() }),
      tenants: tenantLoops.views(),
    }),

    tenantReport: (tenantId) => tenantLoops.view(tenantId),

    cleanup: (olderThanSeconds, tenantId) => retention.cleanup(olderThanSeconds, tenantId),

    runRetention() {
      return retentionRun ?? startRetention();
    },
  };
}
