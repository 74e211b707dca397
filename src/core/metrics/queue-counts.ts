import { performance } from 'node:perf_hooks';
import type { MessageState } from '../messages/types.js';

/**
 * Message counts by state, reused for a short while: counting a million-row queue costs tens of
 * milliseconds, and every series of one scrape (and scrapes close together) can share one count.
 */
export class QueueCounts {
  /** the count in use: a scrape's series and concurrent scrapes share one read */
  private value: Promise<Record<MessageState, number>> | null = null;
  private at = 0;

  constructor(
    private readonly read: () => Promise<Record<MessageState, number>>,
    private readonly ttlMs: number,
  ) {}

  get(): Promise<Record<MessageState, number>> {
    const now = performance.now();
    if (!this.value || now - this.at >= this.ttlMs) {
      const value = this.read();
      this.value = value;
      this.at = now;
      // a failed count is not reused
      value.catch(() => {
        if (this.value === value) this.value = null;
      });
    }
    return this.value;
  }
}
