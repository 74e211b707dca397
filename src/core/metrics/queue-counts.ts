import { performance } from 'node:perf_hooks';

/**
 * Message counts (by state, or awaiting their report), reused for a short while: counting a million-row
 * queue costs tens of milliseconds, and every series of one scrape (and scrapes close together) can share one count.
 */
export class QueueCounts<T> {
  /** the count in use: a scrape's series and concurrent scrapes share one read */
  private value: Promise<T> | null = null;
  private at = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
  ) {}

  get(): Promise<T> {
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
