import type { Logger } from 'pino';
import type { CapturedIndexEntry, CapturedPort } from '../store/ports.js';
import { digestForIndex } from './summarize.js';

/** the sink counts as idle once nothing was captured for this long */
const IDLE_MS = 50;
/**
 * Under sustained load the backlog still moves: once the oldest unindexed message has waited
 * BUSY_GRACE_MS (a burst that long is no short burst), one short slice every BUSY_INTERVAL_MS
 * (about 1% of the time).
 */
const BUSY_GRACE_MS = 5000;
const BUSY_INTERVAL_MS = 1000;
/** parse time per slice: idle, under load, and for an explicit flush (which yields in between) */
const IDLE_SLICE_MS = 25;
const BUSY_SLICE_MS = 10;
const FLUSH_SLICE_MS = 50;
/** messages looked up per slice */
const SLICE_MAX = 64;

interface SliceResult {
  /** messages up to the bound may still be waiting */
  more: boolean;
}

/**
 * Completes what the capture hot path leaves out: parses captured messages in full (mailparser),
 * adds their text to the search index and records the exact attachment count and preview. It runs
 * in small slices while the sink is idle (and, under sustained load, one short slice every
 * BUSY_INTERVAL_MS so the backlog never grows without bound); each slice is one transaction.
 * Messages left over when the relay stops are picked up at the next start.
 */
export class CapturedIndexer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SliceResult> | null = null;
  private stopped = true;
  /** unindexed messages may exist */
  private dirty = false;
  /** when `dirty` last became true */
  private dirtySince = 0;
  private lastCapture = 0;
  private lastSlice = 0;
  /** after a failed slice (e.g. the disk is full), wait before trying again */
  private retryAt = 0;

  constructor(
    private readonly port: Pick<CapturedPort, 'lastId' | 'countUnindexed' | 'unindexed' | 'raw' | 'completeIndex'>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.markDirty();
    this.arm(IDLE_MS);
  }

  /** Stops scheduling; resolves once a slice in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** A message was stored unindexed. Called once per capture: only arms a timer when none is. */
  captured(): void {
    this.lastCapture = performance.now();
    this.markDirty();
    if (!this.timer && !this.running) this.arm(IDLE_MS);
  }

  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.dirtySince = performance.now();
  }

  /**
   * Indexes every message captured so far, whatever the load (searches call this first so they
   * see the text of everything already stored), giving up after `maxWaitMs`. Yields to the event
   * loop between slices, so the sink keeps serving; cheap when nothing is waiting. Resolves with
   * how many messages captured before the call are still unindexed (0 unless it gave up).
   */
  async flush(maxWaitMs = Number.POSITIVE_INFINITY): Promise<number> {
    if (this.stopped || !this.dirty) return 0;
    const captured = this.port;
    const upTo = await captured.lastId();
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      while (this.running) await this.running.catch(() => undefined);
      if (this.stopped) return captured.countUnindexed(upTo);
      try {
        if (!(await this.runSlice(upTo, FLUSH_SLICE_MS)).more) return 0;
      } catch (err) {
        // a search still answers, from what is indexed
        this.logger.warn({ err }, 'indexing captured mail failed');
        return captured.countUnindexed(upTo);
      }
      if (performance.now() >= deadline) return captured.countUnindexed(upTo);
    }
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, ms);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (this.stopped || this.running || !this.dirty) return;
    const now = performance.now();
    if (now < this.retryAt) {
      this.arm(this.retryAt - now);
      return;
    }
    const quietFor = now - this.lastCapture;
    const idle = quietFor >= IDLE_MS;
    const dueAt = Math.max(this.lastSlice + BUSY_INTERVAL_MS, this.dirtySince + BUSY_GRACE_MS);
    if (!idle && now < dueAt) {
      this.arm(Math.max(1, Math.min(IDLE_MS - quietFor, dueAt - now)));
      return;
    }
    this.runSlice(Number.MAX_SAFE_INTEGER, idle ? IDLE_SLICE_MS : BUSY_SLICE_MS).catch((err: unknown) => {
      this.logger.warn({ err }, 'indexing captured mail failed');
      this.retryAt = performance.now() + BUSY_INTERVAL_MS;
    });
  };

  private runSlice(upTo: number, budgetMs: number): Promise<SliceResult> {
    const run = this.slice(upTo, budgetMs).finally(() => {
      this.running = null;
      this.lastSlice = performance.now();
      // more to do (or a capture came in meanwhile): tick decides when, from idleness and the interval
      if (this.dirty && !this.timer) this.arm(0);
    });
    this.running = run;
    return run;
  }

  private async slice(upTo: number, budgetMs: number): Promise<SliceResult> {
    const captured = this.port;
    const capturesBefore = this.lastCapture;
    const ids = await captured.unindexed(upTo, SLICE_MAX);
    const t0 = performance.now();
    const entries: CapturedIndexEntry[] = [];
    for (const id of ids) {
      if (this.stopped) break;
      const raw = await captured.raw(id);
      if (raw) {
        const { digest: d, filenames } = await digestForIndex(raw);
        entries.push({ id, search_text: d.search_text, attachments: d.attachments, preview: d.preview, filenames });
      } else {
        // deleted meanwhile: completeIndex skips it
        entries.push({ id, search_text: '', attachments: 0, preview: '' });
      }
      if (performance.now() - t0 >= budgetMs) break;
    }
    await captured.completeIndex(entries);
    const more = ids.length === SLICE_MAX || entries.length < ids.length;
    // nothing left, unless a capture came in while this slice ran
    if (!more && upTo === Number.MAX_SAFE_INTEGER && this.lastCapture === capturesBefore) this.dirty = false;
    return { more };
  }
}
