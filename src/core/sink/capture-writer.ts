import type { CapturedPort, CapturedSummary, NewCaptured } from '../store/ports.js';

interface PendingWrite {
  m: NewCaptured;
  raw: Buffer;
  resolve: (saved: CapturedSummary) => void;
  reject: (err: unknown) => void;
}

/** messages per transaction at most, so one commit never holds the write lock for long */
const MAX_GROUP = 256;
/**
 * A background WAL sync starts at most this often: a power loss can undo the captures of about the
 * last interval (PostgreSQL's asynchronous commit makes the same trade with wal_writer_delay = 200 ms).
 */
const SYNC_INTERVAL_MS = 100;

/**
 * Group commit for captured mail. Messages that complete during the same event-loop turn are written
 * in one transaction, committed as Mailpit commits its captures (WAL, synchronous=NORMAL): once a
 * write resolves (and the sink answers 250) the message survives a crash of the relay. An fdatasync
 * of the WAL follows in the background, off the event loop, at most every SYNC_INTERVAL_MS, each
 * covering every group committed before it: only a power loss could undo the captures of the last
 * interval, and the sink never stops for a disk flush. (Queued outgoing mail is committed with a full
 * fsync before the API answers; this relaxation is for the sandbox's copies only.)
 */
export class CaptureWriter {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  /** writes were committed since the last sync started */
  private unsynced = false;
  private syncing: Promise<void> | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private lastSyncStart = -Infinity;

  /** group commits under way, and who waits for them all to end (close) */
  private commitsUnderWay = 0;
  private readonly commitsEnded: (() => void)[] = [];

  constructor(
    private readonly store: Pick<CapturedPort, 'insertMany' | 'syncCommitted'>,
    private readonly onSyncError: (err: unknown) => void = () => undefined,
  ) {}

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

  /** Commits whatever is waiting and returns once it is on disk (on stop, before the database closes). */
  async close(): Promise<void> {
    while (this.pending.length) this.commit();
    if (this.commitsUnderWay > 0) await new Promise<void>((resolve) => this.commitsEnded.push(resolve));
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.lastSyncStart = -Infinity;
    this.sync();
    while (this.syncing) await this.syncing;
  }

  /** Takes the next group (up to MAX_GROUP) and starts its transaction now. */
  private readonly commit = (): void => {
    this.scheduled = false;
    const group = this.pending.splice(0, MAX_GROUP);
    if (this.pending.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commit);
    }
    if (group.length > 0) void this.insertGroup(group);
  };

  /**
   * Never rejects: each write's own promise carries its outcome. The writes settle last, once the
   * background sync is armed and close() can see the commit ended.
   */
  private async insertGroup(group: PendingWrite[]): Promise<void> {
    this.commitsUnderWay++;
    const outcomes: (() => void)[] = [];
    try {
      if (await this.insertAll(group, outcomes)) {
        this.unsynced = true;
        this.sync();
      }
    } finally {
      if (--this.commitsUnderWay === 0) for (const ended of this.commitsEnded.splice(0)) ended();
      for (const settle of outcomes) settle();
    }
  }

  /** Stores the group, collecting each write's outcome; false when nothing was stored. */
  private async insertAll(group: PendingWrite[], outcomes: (() => void)[]): Promise<boolean> {
    const insert = (items: PendingWrite[]) => this.store.insertMany(items, { durable: false });
    try {
      const saved = await insert(group);
      group.forEach((w, i) => outcomes.push(() => w.resolve(saved[i])));
      return true;
    } catch (err) {
      if (group.length === 1) {
        outcomes.push(() => group[0].reject(err));
        return false;
      }
    }
    // the group was rolled back as a whole: one at a time, so a failure stays with its message
    for (const w of group) {
      try {
        const [saved] = await insert([w]);
        outcomes.push(() => w.resolve(saved));
      } catch (e) {
        outcomes.push(() => w.reject(e));
      }
    }
    return true;
  }

  /** Starts a background sync of the WAL unless one is running or due soon (its end arms the next). */
  private sync(): void {
    if (this.syncing || this.syncTimer || !this.unsynced) return;
    const wait = this.lastSyncStart + SYNC_INTERVAL_MS - performance.now();
    if (wait > 0) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null;
        this.sync();
      }, wait);
      this.syncTimer.unref();
      return;
    }
    this.lastSyncStart = performance.now();
    this.unsynced = false;
    this.syncing = this.store
      .syncCommitted()
      .catch((err: unknown) => this.onSyncError(err))
      .finally(() => {
        this.syncing = null;
        this.sync();
      });
  }
}
