/** Runs a call against the SQLite connections now or once they are free, as a promise. */
export type Scope = <T>(work: () => T) => Promise<T>;

/** Runs synchronous work at once, its outcome as a promise. */
export const settle: Scope = <T>(work: () => T): Promise<T> => {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err);
  }
};

/**
 * Keeps the connections to one user at a time. A transaction holds the gate while it awaits; every
 * other call waits for it, in arrival order. Without it, a statement issued between two awaits of a
 * transaction would silently join it.
 */
export class Gate {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  readonly run: Scope = <T>(work: () => T): Promise<T> => {
    if (!this.held) return settle(work);
    return new Promise<T>((resolve, reject) => this.waiting.push(() => settle(work).then(resolve, reject)));
  };

  async hold<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(() => ((this.held = true), resolve())));
    else this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
      // plain calls run at once; the next transaction takes the gate and stops the loop
      while (!this.held && this.waiting.length > 0) this.waiting.shift()!();
    }
  }
}
