import type { CapturedStore, CapturedSummary, NewCaptured } from '../store/captured-store.js';

interface PendingWrite {
  m: NewCaptured;
  raw: Buffer;
  resolve: (saved: CapturedSummary) => void;
  reject: (err: unknown) => void;
}

/** messages per transaction at most, so one commit never holds the write lock for long */
const MAX_GROUP = 256;

/**
 * Group commit for captured mail. Every commit of the database is fsync'ed (synchronous=FULL),
 * and an fsync costs far more than the inserts: messages that complete during the same event-loop
 * turn are written in one transaction, so one fsync covers all of them. Each write resolves only
 * after its transaction committed (the sink answers 250 then, never before).
 */
export class CaptureWriter {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly store: CapturedStore) {}

  write(m: NewCaptured, raw: Buffer): Promise<CapturedSummary> {
    return new Promise((resolve, reject) => {
      this.pending.push({ m, raw, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // after the I/O callbacks of this turn: the other connections' messages join the group
        setImmediate(this.commit);
      }
    });
  }

  /** Commits whatever is waiting now (on stop, before the database closes). */
  flush(): void {
    while (this.pending.length) this.commit();
  }

  private readonly commit = (): void => {
    this.scheduled = false;
    const group = this.pending.splice(0, MAX_GROUP);
    if (this.pending.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commit);
    }
    if (group.length === 0) return;
    let saved: CapturedSummary[];
    try {
      saved = this.store.insertMany(group);
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(err);
        return;
      }
      // the group was rolled back as a whole: one at a time, so a failure stays with its message
      for (const w of group) {
        try {
          w.resolve(this.store.insertMany([w])[0]);
        } catch (e) {
          w.reject(e);
        }
      }
      return;
    }
    for (let i = 0; i < group.length; i++) group[i].resolve(saved[i]);
  };
}
