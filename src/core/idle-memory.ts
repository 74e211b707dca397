import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * V8 lets the old generation grow up to 4x what survived the last full collection before the next; a
 * drain's short-lived objects pile up there (148 MiB of heap for ~40 live). 1.25x keeps the peak near the
 * live size for a few more concurrent collections. Read at every collection, so it can be set at run time.
 */
export const HEAP_GROWING_PERCENT = 25;

/** the heap must have grown this much since the last idle collection to be worth another */
const GROWN_BYTES = 8 * 1024 * 1024;

/** What an idle collection did (for the log and tests). */
export type IdleCollection = { collected: false; reason: 'small' | 'unavailable' } | { collected: true; beforeBytes: number; afterBytes: number };

/** Decides whether an idle moment is worth a full collection: only after the heap grew since the last one. */
export function shouldCollect(heapBytes: number, afterLastBytes: number): boolean {
  return heapBytes >= afterLastBytes + GROWN_BYTES;
}

/** Bounds the old generation's growth between full collections (the whole process: relay and tray alike). */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** V8's full collection, without --expose-gc on the command line (Jest's leak detector does the same). */
function loadGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * Gives a burst's garbage back once the relay went idle: V8 only collects when something allocates, so a
 * relay that went quiet keeps the old space a burst left (100+ MB after 20,000 messages) until the next.
 */
export class IdleMemory {
  private gc: (() => void) | null | undefined;
  private afterLast = 0;

  /** The store's writes paused: one full collection if the heap grew since the last one. */
  release(): IdleCollection {
    const before = v8.getHeapStatistics().total_heap_size;
    if (!shouldCollect(before, this.afterLast)) return { collected: false, reason: 'small' };
    this.gc ??= loadGc();
    if (!this.gc) return { collected: false, reason: 'unavailable' };
    this.gc();
    this.afterLast = v8.getHeapStatistics().total_heap_size;
    return { collected: true, beforeBytes: before, afterBytes: this.afterLast };
  }
}
