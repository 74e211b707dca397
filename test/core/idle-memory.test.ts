import { describe, expect, it } from 'vitest';
import { IdleMemory, shouldCollect } from '../../src/core/idle-memory.js';

const MiB = 1024 * 1024;

describe('idle memory', () => {
  it('collects only when the heap grew by 8 MiB or more since the last idle collection', () => {
    expect(shouldCollect(40 * MiB, 0)).toBe(true);
    expect(shouldCollect(47 * MiB, 40 * MiB)).toBe(false);
    expect(shouldCollect(48 * MiB, 40 * MiB)).toBe(true);
  });

  it('a burst of garbage left in the heap is collected once; a second idle moment right after does nothing', () => {
    const idle = new IdleMemory();
    // ~35 MiB of objects that die at once, as a drained batch's do
    let burst: unknown[] | null = Array.from({ length: 60 }, (_, i) => Array.from({ length: 20_000 }, (_, j) => ({ i, j })));
    expect(burst.length).toBe(60);
    burst = null;
    const first = idle.release();
    expect(first.collected).toBe(true);
    if (first.collected) expect(first.afterBytes).toBeLessThan(first.beforeBytes);
    expect(idle.release()).toEqual({ collected: false, reason: 'small' });
  });
});
