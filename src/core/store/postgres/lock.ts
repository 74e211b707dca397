/**
 * Runs one piece of store work at a time, in arrival order. A transaction holds it while it awaits
 * between its statements, so that a call from outside never lands in the middle of it: the same
 * rule as SQLite's gate (sqlite/gate.ts), which the engine and the contract suite rely on.
 */
export class FifoLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
