import { describe, expect, it } from 'vitest';
import { countsSummary } from '../../../src/renderer/src/layout/CountsSummary.js';

describe('countsSummary (the header folded for a phone)', () => {
  it('counts what waits, and the errors only when there are some', () => {
    expect(countsSummary({ queued: 3, deferred: 2, sending: 1, sent: 40, error: 0, reported: 7 })).toBe('6 pending');
    expect(countsSummary({ queued: 0, deferred: 0, sending: 0, sent: 0, error: 1, reported: 0 })).toBe('0 pending · 1 error');
    expect(countsSummary({ queued: 1200, error: 3 })).toBe('1,200 pending · 3 errors');
  });

  it('says it does not know yet before the first stats', () => {
    expect(countsSummary(undefined)).toBe('…');
  });
});
