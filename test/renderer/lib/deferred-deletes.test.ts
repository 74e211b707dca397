import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeferredDeletes } from '../../../src/renderer/src/lib/deferred-deletes.js';

afterEach(() => vi.useRealTimers());

describe('DeferredDeletes (undo of a single delete)', () => {
  const setup = () => {
    vi.useFakeTimers();
    const committed: number[] = [];
    let changes = 0;
    const d = new DeferredDeletes<number>(async (k) => void committed.push(k), () => changes++, 5000);
    return { d, committed, changes: () => changes };
  };

  it('commits after the delay unless undone', () => {
    const { d, committed } = setup();
    d.schedule(1, 'Deleted one');
    expect(d.current).toEqual({ key: 1, label: 'Deleted one' });
    vi.advanceTimersByTime(4999);
    expect(committed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(committed).toEqual([1]);
    expect(d.current).toBeNull();

    d.schedule(2, 'Deleted two');
    d.undo();
    vi.advanceTimersByTime(10_000);
    expect(committed).toEqual([1]);
    expect(d.isPending(2)).toBe(false);
  });

  it('commits the waiting delete when another comes, or on flush', () => {
    const { d, committed, changes } = setup();
    d.schedule(1, 'a');
    d.schedule(2, 'b');
    expect(committed).toEqual([1]);
    expect(d.isPending(2)).toBe(true);
    d.flush();
    expect(committed).toEqual([1, 2]);
    d.flush();
    expect(committed).toEqual([1, 2]);
    expect(changes()).toBeGreaterThanOrEqual(3);
  });
});
