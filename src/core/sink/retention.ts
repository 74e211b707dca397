import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import type { RelayBus } from '../events.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { CapturedPort } from '../store/ports.js';

/** rows deleted per transaction: small enough that a capture waiting for the write lock barely notices */
const BATCH = 100;
/** bursts of captures are pruned together, shortly after they settle */
const NUDGE_DELAY_MS = 250;
/** the age limit is checked this often even when nothing arrives */
const AGE_CHECK_MS = 60_000;

export interface CapturedRetentionDeps {
  captured: Pick<CapturedPort, 'pruneBatch'>;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'emit' | 'on' | 'off'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Keeps captured mail within the retention limits (settings sink_retention_count / _age_seconds).
 * Work is done in small transactions with the event loop yielded between them, so a large prune
 * (e.g. after lowering the limit from 100,000 to 100) never stalls ingest.
 */
export class CapturedRetention {
  private nudgeTimer: NodeJS.Timeout | null = null;
  private ageTimer: NodeJS.Timeout | null = null;
  private draining = false;
  private stopped = true;
  /** a settings change may have lowered a limit; checking costs one indexed lookup */
  private readonly onSettings = () => this.nudge();

  constructor(private readonly deps: CapturedRetentionDeps) {}

  start(): void {
    this.stopped = false;
    this.deps.bus.on('settings', this.onSettings);
    this.ageTimer = setInterval(() => this.nudge(), AGE_CHECK_MS);
    this.ageTimer.unref();
    this.nudge();
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.off('settings', this.onSettings);
    if (this.ageTimer) clearInterval(this.ageTimer);
    if (this.nudgeTimer) clearTimeout(this.nudgeTimer);
    this.ageTimer = this.nudgeTimer = null;
  }

  /** Something was captured or a limit changed: prune soon. */
  nudge(): void {
    if (this.stopped || this.nudgeTimer || this.draining) return;
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = null;
      void this.drain();
    }, NUDGE_DELAY_MS);
    this.nudgeTimer.unref();
  }

  /** Prunes everything over the limits now, in one go; returns how many messages were deleted. */
  async pruneNow(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.pruneBatch();
      total += n;
      if (n < BATCH) return total;
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.stopped) {
        if ((await this.pruneBatch()) < BATCH) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'captured mail retention failed');
    } finally {
      this.draining = false;
    }
  }

  private async pruneBatch(): Promise<number> {
    const { settings, clock, captured, bus } = this.deps;
    const s = settings.current();
    const age = s.sink_retention_age_seconds;
    const ids = await captured.pruneBatch({
      keepCount: s.sink_retention_count,
      receivedBefore: age > 0 ? nowSec(clock) - age : null,
      batch: BATCH,
    });
    if (ids.length > 0) bus.emit('captured.removed', { ids });
    return ids.length;
  }
}
