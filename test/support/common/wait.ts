import { vi } from 'vitest';

export interface WaitOptions {
  /** what is awaited, for the message of a timeout */
  what?: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `check` (with vi.waitFor) until it returns a truthy value, and returns that value (no timed
 * assertions). A check that throws is tried again; past the deadline the wait fails naming what it
 * awaited and the last error.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string | WaitOptions = {}, timeoutMs?: number): Promise<NonNullable<T>> {
  const o: WaitOptions = typeof what === 'string' ? { what, timeoutMs } : what;
  const notYet = new Error('not yet');
  try {
    return await vi.waitFor(
      async () => {
        const v = await check();
        if (!v) throw notYet;
        return v as NonNullable<T>;
      },
      { timeout: o.timeoutMs ?? 10_000, interval: o.intervalMs ?? 20 },
    );
  } catch (err) {
    throw new Error(`timed out waiting for ${o.what ?? 'a condition'}${err === notYet ? '' : `: ${String(err)}`}`);
  }
}
