import type { RetentionPass } from '../../shared/api/stats.js';
import { nowSec, type Clock } from '../clock.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { DEFAULT_TENANT, type ExclusivePort, type MessagesPort, type ReportsPort } from '../store/ports.js';

/** What one retention pass removed (the shared RetentionPass without its time). */
export type RetentionResult = Omit<RetentionPass, 'ts'>;

export interface RetentionDeps {
  messages: Pick<MessagesPort, 'purgeReported'>;
  reports: Pick<ReportsPort, 'purgeFinalUnreported' | 'pruneSendLog' | 'pruneOrphanEvents'>;
  settings: Pick<RuntimeSettings, 'current'>;
  clock: Clock;
  /** tenants with no application to report to (no client_base_url) */
  unreportableTenants?: () => Promise<string[]>;
  /** several relays on one database: a pass runs on one of them at a time (the others skip it) */
  exclusive?: ExclusivePort;
}

export interface RetentionOptions {
  /** messages per delete transaction */
  batchSize?: number;
  /** timeline rows examined per orphan-sweep step */
  eventChunk?: number;
}

/** The longest rate-limit window: send-log rows older than this count for nothing. */
export const SEND_LOG_WINDOW_SECONDS = 86_400;
/** Timeline rows of a message that no longer exists are kept this long. */
export const ORPHAN_EVENT_AGE_SECONDS = 3_600;
/** How often the orphan sweep starts again from the oldest row. */
const ORPHAN_RESWEEP_MS = 86_400_000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Retention: every delete is a small transaction followed by a turn of the event loop, so dispatch
 * and the API interleave with a purge of any size.
 */
export class Retention {
  private readonly batchSize: number;
  private readonly eventChunk: number;
  private orphanSeq = 0;
  private orphanSweepStarted = 0;
  private stopped = false;

  constructor(
    private readonly deps: RetentionDeps,
    opts: RetentionOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.eventChunk = opts.eventChunk ?? 5000;
  }

  /** Ends any running loop at its next batch. */
  stop(): void {
    this.stopped = true;
  }

  resume(): void {
    this.stopped = false;
  }

  /** One full pass of every retention rule (the settings are read now, so changes apply live); skipped while another relay runs one. */
  async run(): Promise<RetentionResult> {
    if (!this.deps.exclusive) return this.pass();
    const run = await this.deps.exclusive.runExclusive('retention', () => this.pass());
    return run.ran ? run.value : { reported: 0, unreported: 0, send_log: 0, orphan_events: 0 };
  }

  private async pass(): Promise<RetentionResult> {
    const { messages, reports, settings } = this.deps;
    const now = nowSec(this.deps.clock);
    const s = settings.current();
    const result: RetentionResult = { reported: 0, unreported: 0, send_log: 0, orphan_events: 0 };
    if (s.retention_seconds > 0) {
      const before = now - s.retention_seconds;
      result.reported = await this.repeat(() => messages.purgeReported(before, this.batchSize));
      // With no application to report to, final messages would otherwise stay forever.
      const silent = [...(s.client_sync_url ? [] : [DEFAULT_TENANT]), ...((await this.deps.unreportableTenants?.()) ?? [])];
      for (const tenant of silent) {
        result.unreported += await this.repeat(() => reports.purgeFinalUnreported(tenant, before, this.batchSize));
      }
    }
    result.send_log = await this.repeat(() => reports.pruneSendLog(now - SEND_LOG_WINDOW_SECONDS, this.batchSize * 4));
    result.orphan_events = await this.sweepOrphans(now - ORPHAN_EVENT_AGE_SECONDS);
    return result;
  }

  /**
   * genro-mail-proxy cleanup-messages: deletes reported final messages whose report is at least
   * `olderThanSeconds` old (default: the retention setting; clamped to >= 0, so 0 removes every
   * message already reported). Returns how many were removed.
   */
  async cleanup(olderThanSeconds: number | null | undefined, tenantId?: string): Promise<number> {
    const seconds = Math.max(0, olderThanSeconds ?? this.deps.settings.current().retention_seconds);
    // reported_ts <= now - seconds
    const before = nowSec(this.deps.clock) - seconds + 1;
    return this.repeat(() => this.deps.messages.purgeReported(before, this.batchSize, tenantId));
  }

  private async repeat(step: () => Promise<number>): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const n = await step();
      total += n;
      if (n === 0) break;
      await yieldToLoop();
    }
    return total;
  }

  private async sweepOrphans(before: number): Promise<number> {
    if (Date.now() - this.orphanSweepStarted > ORPHAN_RESWEEP_MS) {
      this.orphanSeq = 0;
      this.orphanSweepStarted = Date.now();
    }
    let total = 0;
    while (!this.stopped) {
      const step = await this.deps.reports.pruneOrphanEvents(this.orphanSeq, this.eventChunk, before);
      total += step.deleted;
      this.orphanSeq = step.nextSeq;
      if (step.done) break;
      await yieldToLoop();
    }
    return total;
  }
}
