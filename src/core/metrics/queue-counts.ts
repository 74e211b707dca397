import { performance } from 'node:perf_hooks';
import type { MessageState } from '../messages/types.js';

/**
 * Message counts by state, reused for a short while: counting a million-row queue costs tens of
 * milliseconds, and every series of one scrape (and scrapes close together) can share one count.
 */
export class QueueCounts {
  private value: Record<MessageState, number> | null = null;
  private at = 0;

  constructor(
    private readonly read: () => Record<MessageState, number>,
    private readonly ttlMs: number,
  ) {}

  get(): Record<MessageState, number> {
    const now = performance.now();
    if (!this.value || now - this.at >= this.ttlMs) {
      this.value = this.read();
      this.at = now;
    }
    return this.value;
  }
}
