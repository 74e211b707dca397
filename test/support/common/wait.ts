export interface WaitOptions {
  /** what is awaited, for the message of a timeout */
  what?: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a truthy value, and returns that value (no timed assertions). A check
 * that throws is tried again; past the deadline the wait fails naming what it awaited and the last error.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string | WaitOptions = {}, timeoutMs?: number): Promise<NonNullable<T>> {
  const o: WaitOptions = typeof what === 'string' ? { what, timeoutMs } : what;
  const deadline = Date.now() + (o.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what ?? 'a condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 20));
  }
}
