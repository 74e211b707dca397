import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORTER_TIMING, SyncSchedule, type ScheduleInputs } from '../../../src/core/report/sync-schedule.js';

const on: ScheduleInputs = { hasTarget: true, testMode: false, intervalMs: 300_000 };
const ack = (over: Partial<{ reported: number; batchSize: number; queued: number; nextSyncAfterSeconds: number | null }> = {}) => ({
  reported: 0,
  batchSize: 100,
  queued: 0,
  nextSyncAfterSeconds: null,
  ...over,
});

describe('when the next proxy_sync is due (pure decisions)', () => {
  it('syncs at once at start, then on the heartbeat; never without a target', () => {
    const s = new SyncSchedule(DEFAULT_REPORTER_TIMING);
    expect(s.nextAt(1000, on)).toBe(1000);
    expect(s.nextAt(1000, { ...on, hasTarget: false })).toBe(Infinity);
    s.begin();
    s.succeeded(1000, ack());
    expect(s.nextAt(2000, on)).toBe(301_000);
  });

  it('in test_mode only a wake asks for a sync', () => {
    const s = new SyncSchedule(DEFAULT_REPORTER_TIMING);
    expect(s.nextAt(0, { ...on, testMode: true })).toBe(Infinity);
    s.wake();
    expect(s.nextAt(5, { ...on, testMode: true })).toBe(5);
  });

  it('a wake with nothing pending keeps the spacing of empty reports', () => {
    const s = new SyncSchedule(DEFAULT_REPORTER_TIMING);
    s.succeeded(10_000, ack());
    s.wake();
    s.pendingKnown(false);
    expect(s.nextAt(10_200, on)).toBe(11_000);
    s.pendingKnown(true);
    expect(s.nextAt(10_200, on)).toBe(10_200);
  });

  it('follows up at once while the application pushes work, and slows down after a long burst', () => {
    const s = new SyncSchedule(DEFAULT_REPORTER_TIMING);
    for (let i = 0; i < 100; i++) s.succeeded(i, ack({ queued: 1 }));
    expect(s.nextAt(100, on)).toBe(100);
    // the 101st follow-up in a row waits a second after the last contact
    s.succeeded(200, ack({ queued: 1 }));
    expect(s.nextAt(200, on)).toBe(1200);
    s.succeeded(300, ack({ reported: 100 }));
    expect(s.nextAt(300, on)).toBe(1300);
  });

  it('backs off exponentially with jitter, capped by the heartbeat; wakes do not bypass it, force does', () => {
    const timing = { ...DEFAULT_REPORTER_TIMING, backoffBaseMs: 100, backoffCapMs: 1000 };
    const s = new SyncSchedule(timing);
    const mid = () => 0.5;
    expect(s.failed(0, 300_000, mid)).toBe(100);
    expect(s.failed(0, 300_000, mid)).toBe(200);
    expect(s.failed(0, 300_000, mid)).toBe(400);
    expect(s.failed(0, 300_000, mid)).toBe(800);
    expect(s.failed(0, 300_000, mid)).toBe(1000);
    expect(s.failed(0, 500, mid)).toBe(500);
    expect(s.failed(0, 300_000, () => 0)).toBeCloseTo(900);
    expect(s.failures).toBe(7);
    s.wake();
    expect(s.nextAt(10, on)).toBeCloseTo(900);
    s.force();
    expect(s.nextAt(10, on)).toBe(10);
    s.begin();
    s.succeeded(20, ack());
    expect(s.failures).toBe(0);
  });

  it('honours next_sync_after as a quiet period, bounded, and a new target starts afresh', () => {
    const s = new SyncSchedule(DEFAULT_REPORTER_TIMING);
    s.succeeded(0, ack({ nextSyncAfterSeconds: 600 }));
    s.wake();
    expect(s.nextAt(10, on)).toBe(600_000);
    s.succeeded(0, ack({ nextSyncAfterSeconds: 10 ** 9 }));
    expect(s.nextAt(10, on)).toBe(DEFAULT_REPORTER_TIMING.maxNextSyncAfterMs);
    s.failed(0, 300_000);
    s.retarget();
    expect(s.failures).toBe(0);
    expect(s.nextAt(10, on)).toBe(10);
  });
});
