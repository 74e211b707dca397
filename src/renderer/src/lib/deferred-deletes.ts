/** How long a single delete can be taken back. */
export const UNDO_MS = 6000;

export interface PendingDelete<K> {
  key: K;
  /** what the undo notice names ("the mail 'Invoice 12'") */
  label: string;
}

/**
 * Single deletes that wait a few seconds before reaching the server, so that they can be undone: one
 * at a time (a second delete commits the first), and whatever still waits is committed by `flush`.
 */
export class DeferredDeletes<K> {
  private pending: (PendingDelete<K> & { timer: ReturnType<typeof setTimeout> }) | null = null;

  constructor(
    private readonly commit: (key: K) => Promise<void>,
    private readonly onChange: () => void,
    private readonly delayMs = UNDO_MS,
  ) {}

  get current(): PendingDelete<K> | null {
    return this.pending ? { key: this.pending.key, label: this.pending.label } : null;
  }

  isPending(key: K): boolean {
    return this.pending?.key === key;
  }

  schedule(key: K, label: string): void {
    this.flush();
    this.pending = { key, label, timer: setTimeout(() => this.flush(), this.delayMs) };
    this.onChange();
  }

  undo(): void {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    this.pending = null;
    this.onChange();
  }

  /** Commits the waiting delete now (the notice timed out, another delete came, or the view closes). */
  flush(): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = null;
    this.onChange();
    void this.commit(p.key);
  }
}
