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

/** What the schedule needs to know of the world when it decides. */
export interface ScheduleInputs {
  /** a sync URL is set and reporting is not paused */
  hasTarget: boolean;
  /** genro-mail-proxy test_mode: no start-up sync and no heartbeat, only what is asked for */
  testMode: boolean;
  /** the heartbeat interval */
  intervalMs: number;
}

/** What an acknowledged sync tells the schedule. */
export interface Acknowledgement {
  reported: number;
  batchSize: number;
  /** messages the application pushed meanwhile: sync again at once */
  queued: number;
  nextSyncAfterSeconds: number | null;
}

/**
 * When the next proxy_sync should happen: what asks for one (wakes, an operator, follow-ups, the
 * heartbeat) and what holds it back (retry backoff, a do-not-disturb period). Times are monotonic
 * milliseconds given by the caller, so every decision is testable without timers.
 */
export class SyncSchedule {
  private wakeRequested = false;
  private forceRequested = false;
  private followUp = false;
  private followUps = 0;
  private lastContactAt: number | null = null;
  private failureCount = 0;
  private retryAt = 0;
  private quietUntil = 0;
  /** outcomes were waiting when last looked (assumed until known: the sync reads them anyway) */
  private pendingHint = true;

  constructor(private readonly timing: ReporterTiming) {}

  /** consecutive failed syncs */
  get failures(): number {
    return this.failureCount;
  }

  /** until when (monotonic ms) the application asked not to be called; 0: no such request */
  get quietUntilAt(): number {
    return this.quietUntil;
  }

  /** final outcomes may be waiting, or the application wants a sync */
  wake(): void {
    this.wakeRequested = true;
  }

  /** an operator's "retry now": through backoff and quiet periods */
  force(): void {
    this.forceRequested = true;
  }

  pendingKnown(hasPending: boolean): void {
    this.pendingHint = hasPending;
  }

  /** A sync starts: what was asked for until now is covered by what it reads. */
  begin(): void {
    this.wakeRequested = false;
    this.forceRequested = false;
    this.followUp = false;
  }

  succeeded(now: number, ack: Acknowledgement): void {
    this.lastContactAt = now;
    this.failureCount = 0;
    this.retryAt = 0;
    this.followUp = ack.queued > 0 || ack.reported >= ack.batchSize;
    this.followUps = this.followUp ? this.followUps + 1 : 0;
    this.quietUntil =
      !this.followUp && ack.nextSyncAfterSeconds !== null
        ? now + Math.min(ack.nextSyncAfterSeconds * 1000, this.timing.maxNextSyncAfterMs)
        : 0;
  }

  /**
   * Backs off: the delay doubles per failure up to the cap (never beyond the heartbeat), ±10 % jitter.
   * Returns when the retry is due.
   */
  failed(now: number, intervalMs: number, random: () => number = Math.random): number {
    const { backoffBaseMs, backoffCapMs } = this.timing;
    this.failureCount++;
    const cap = Math.max(backoffBaseMs, Math.min(backoffCapMs, intervalMs));
    const delay = Math.min(cap, backoffBaseMs * 2 ** Math.min(this.failureCount - 1, 30));
    this.retryAt = now + delay * (0.9 + random() * 0.2);
    return this.retryAt;
  }

  /** A new destination starts fresh: no inherited backoff or quiet period, sync soon. */
  retarget(): void {
    this.failureCount = 0;
    this.retryAt = 0;
    this.quietUntil = 0;
    this.lastContactAt = null;
  }

  /** When the next sync should happen (monotonic ms), Infinity when none is wanted. */
  nextAt(now: number, inputs: ScheduleInputs): number {
    if (!inputs.hasTarget) return Infinity;
    if (this.forceRequested) return now;
    if (this.failureCount > 0) return this.retryAt;
    if (this.followUp) return this.followUps > FOLLOW_UP_BURST ? Math.max(now, (this.lastContactAt ?? now) + 1000) : now;
    let at = inputs.testMode ? Infinity : this.lastContactAt === null ? now : this.lastContactAt + inputs.intervalMs;
    if (this.wakeRequested) {
      const soon = this.pendingHint ? now : Math.max(now, (this.lastContactAt ?? -Infinity) + this.timing.minEmptySyncSpacingMs);
      at = Math.min(at, soon);
    }
    return Math.max(at, this.quietUntil);
  }
}
