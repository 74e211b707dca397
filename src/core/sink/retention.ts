import { nowSec } from '../clock.js';
import type { RelayContext } from '../context.js';

/** rows deleted per transaction: small enough that a capture waiting for the write lock barely notices */
const BATCH = 100;
/** bursts of captures are pruned together, shortly after they settle */
const NUDGE_DELAY_MS = 250;
/** the age limit is checked this often even when nothing arrives */
const AGE_CHECK_MS = 60_000;

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

  constructor(private readonly ctx: RelayContext) {}

  start(): void {
    this.stopped = false;
    this.ctx.bus.on('settings', this.onSettings);
    this.ageTimer = setInterval(() => this.nudge(), AGE_CHECK_MS);
    this.ageTimer.unref();
    this.nudge();
  }

  stop(): void {
    this.stopped = true;
    this.ctx.bus.off('settings', this.onSettings);
    if (this.ageTimer) clearInterval(this.ageTimer);
    if (this.nudgeTimer) clearTimeout(this.nudgeTimer);
    this.ageTimer = this.nudgeTimer = null;
  }

  /** Something was captured or a limit changed: prune soon. */
  nudge(): void {
    if (this.stopped || this.nudgeTimer || this.draining) return;
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = null;
      this.drain();
    }, NUDGE_DELAY_MS);
    this.nudgeTimer.unref();
  }

  /** Prunes everything over the limits now, in one go; returns how many messages were deleted. */
  pruneNow(): number {
    let total = 0;
    for (;;) {
      const n = this.pruneBatch();
      total += n;
      if (n < BATCH) return total;
    }
  }

  private drain(): void {
    if (this.stopped) return;
    this.draining = true;
    let n = 0;
    try {
      n = this.pruneBatch();
    } catch (err) {
      this.ctx.logger.warn({ err }, 'captured mail retention failed');
    }
    if (n >= BATCH && !this.stopped) {
      setImmediate(() => this.drain());
      return;
    }
    this.draining = false;
  }

  private pruneBatch(): number {
    const s = this.ctx.settings.current();
    const age = s.sink_retention_age_seconds;
    const ids = this.ctx.store.captured.pruneBatch({
      keepCount: s.sink_retention_count,
      receivedBefore: age > 0 ? nowSec(this.ctx.clock) - age : null,
      batch: BATCH,
    });
    if (ids.length > 0) this.ctx.bus.emit('captured.removed', { ids });
    return ids.length;
  }
}
