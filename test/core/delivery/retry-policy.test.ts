import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry } from '../../../src/core/delivery/retry-policy.js';

describe('retry policy', () => {
  const settings = { retryDelays: [60, 300, 900], maxRetries: 5, retryJitter: 0, retryLifetimeSeconds: 0 };

  it('follows the schedule and repeats the last delay', () => {
    expect([0, 1, 2, 3, 7].map((n) => backoffDelay(settings, n))).toEqual([60, 300, 900, 900, 900]);
  });

  it('spreads delays by the jitter fraction', () => {
    const s = { ...settings, retryJitter: 0.5 };
    expect(backoffDelay(s, 0, () => 0)).toBe(30);
    expect(backoffDelay(s, 0, () => 1)).toBe(90);
    expect(backoffDelay(s, 0, () => 0.5)).toBe(60);
  });

  it('fails after maxRetries and past the lifetime cap', () => {
    expect(decideRetry(settings, { retryCount: 5, firstAttemptTs: 0, now: 10, text: 'x (SMTP 451)' })).toEqual({
      action: 'fail',
      error: 'Max retries (5) exceeded: x (SMTP 451)',
    });
    expect(decideRetry(settings, { retryCount: 1, firstAttemptTs: 100, now: 100, text: 't' })).toEqual({
      action: 'retry',
      until: 400,
      retry_count: 2,
      delay: 300,
    });
    const capped = { ...settings, retryLifetimeSeconds: 200 };
    expect(decideRetry(capped, { retryCount: 1, firstAttemptTs: 100, now: 100, text: 't' })).toMatchObject({ action: 'fail' });
  });

  it("keeps an attachment failure's text first when retrying ends: Genropy and its users look for it", () => {
    const text = 'Attachment fetch failed for offer.pdf: 503 Service Unavailable';
    expect(decideRetry(settings, { retryCount: 5, firstAttemptTs: 0, now: 10, text })).toEqual({
      action: 'fail',
      error: `${text} (Max retries (5) exceeded)`,
    });
    const capped = { ...settings, retryLifetimeSeconds: 200 };
    expect(decideRetry(capped, { retryCount: 1, firstAttemptTs: 100, now: 100, text })).toEqual({
      action: 'fail',
      error: `${text} (Retry lifetime (200 s) exceeded)`,
    });
  });
});
