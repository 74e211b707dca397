import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/core/delivery/rate-limiter.js';
import { account } from '../../support/delivery/records.js';

/** A limiter whose windows of `id` start from these sends (as the dispatcher seeds them from the send log). */
function seeded(id: string, sends: number[]): RateLimiter {
  const rl = new RateLimiter();
  rl.seed(id, sends);
  return rl;
}

describe('rate limiter (exact sliding windows)', () => {
  const T = 1_000_000;

  it('counts sends inside the window and frees a slot exactly when the oldest one leaves it', () => {
    const rl = seeded('a', [T - 59, T - 30]);
    const a = account('a', { limit_per_minute: 2 });
    expect(rl.check(a, T)).toEqual({ ok: false, until: T + 1, window: 'minute', limit: 2 });
    expect(rl.check(a, T + 1).ok).toBe(true);
    expect(rl.state(a, T, null)[0]).toEqual({
      window: 'minute',
      used: 2,
      limit: 2,
      next_free_ts: T + 1,
    });
  });

  it('counts in-flight sends until they are released, then as sends when accepted', () => {
    const rl = seeded('a', []);
    const a = account('a', { limit_per_minute: 2 });
    expect(rl.acquire(a, T, 1, 2).ok).toBe(true);
    expect(rl.acquire(a, T, 2, 2).ok).toBe(true);
    expect(rl.acquire(a, T, 3, 2)).toMatchObject({ ok: false, until: T + 60 });
    rl.release('a', null); // m1 failed: its slot is free again, nothing counted
    expect(rl.check(a, T).ok).toBe(true);
    rl.release('a', T); // m2 accepted
    expect(rl.state(a, T, null)[0].used).toBe(1);
  });

  it('spreads a backlog over the coming windows, one window after the other', () => {
    const rl = seeded('a', [T, T]);
    const a = account('a', { limit_per_minute: 2 });
    const slots = [1, 2, 3, 4, 5].map((seq) => rl.reserve(a, T, seq, 2));
    expect(slots).toEqual([T + 60, T + 60, T + 120, T + 120, T + 180]);
  });

  it('checks every window and takes the latest constraint', () => {
    const rl = seeded('a', [T - 3000, T - 10]);
    const a = account('a', { limit_per_minute: 5, limit_per_hour: 2 });
    expect(rl.check(a, T)).toMatchObject({ ok: false, window: 'hour', until: T - 3000 + 3600 });
  });

  it('gives an urgent message a slot before those promised to less urgent ones', () => {
    const rl = seeded('a', [T]);
    const a = account('a', { limit_per_minute: 1 });
    expect(rl.reserve(a, T, 11, 3)).toBe(T + 60);
    expect(rl.reserve(a, T, 12, 3)).toBe(T + 120);
    expect(rl.reserve(a, T, 13, 0)).toBe(T + 60);
    // taking its slot drops the booking, so a later reservation of the same message moves on
    expect(rl.reserve(a, T, 11, 3)).toBe(T + 180);
  });

  it('treats zero or negative limits as no limit (genro-mail-proxy)', () => {
    const rl = seeded('a', Array(100).fill(T));
    expect(rl.check(account('a', { limit_per_minute: 0, limit_per_hour: -1 }), T).ok).toBe(true);
  });
});
