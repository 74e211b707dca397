import type { Database as DB } from 'better-sqlite3';
import { HAYSTACK } from './queue-search.js';
import type { TransactionRunner } from './transaction-runner.js';

/** How the queue search indexer paces itself (see QueueIndexer). */
export const QUEUE_INDEXING = {
  /** longest a slice keeps the event loop (one transaction), in ms */
  sliceMs: 4,
  /** rows read per step of a slice */
  batchRows: 200,
  /** first slice after a commit, in ms: a burst of writes is indexed in one go */
  afterWriteMs: 25,
  /** while writes keep arriving the indexer takes at most 1/(1+busyPause) of the time: ingest comes first */
  busyPause: 9,
};

function prepare(db: DB) {
  return {
    marker: db.prepare<[], { indexed_seq: number }>('SELECT indexed_seq FROM messages_search_state WHERE id = 1'),
    setMarker: db.prepare<[number]>('UPDATE messages_search_state SET indexed_seq = ? WHERE id = 1'),
    batchEnd: db.prepare<[number, number], { upto: number | null; n: number }>(
      'SELECT max(seq) AS upto, count(*) AS n FROM (SELECT seq FROM messages WHERE seq > ? ORDER BY seq LIMIT ?)',
    ),
    indexRange: db.prepare<[number, number]>(`INSERT INTO messages_search (rowid, haystack) SELECT seq, ${HAYSTACK} FROM messages WHERE seq > ? AND seq <= ?`),
    dirty: db.prepare<[number], { seq: number }>('SELECT seq FROM messages_search_dirty ORDER BY seq LIMIT ?'),
    textOf: db.prepare<[number], { haystack: string }>(`SELECT ${HAYSTACK} AS haystack FROM messages WHERE seq = ?`),
    unindex: db.prepare<[number]>('DELETE FROM messages_search WHERE rowid = ?'),
    index: db.prepare<[number, string]>('INSERT INTO messages_search (rowid, haystack) VALUES (?, ?)'),
    clean: db.prepare<[number]>('DELETE FROM messages_search_dirty WHERE seq = ?'),
    pending: db.prepare<[], { n: number }>(
      `SELECT EXISTS (SELECT 1 FROM messages WHERE seq > (SELECT indexed_seq FROM messages_search_state))
         OR EXISTS (SELECT 1 FROM messages_search_dirty) AS n`,
    ),
  };
}

/**
 * Keeps the queue search index (migration 010) off the accepting transaction: after commits it indexes
 * the rows beyond the marker and re-indexes dirty rows, in slices of a few ms on the store's own gate
 * (one transaction each), yielding most of the time to writes while they keep coming, flat out when idle.
 */
export class QueueIndexer {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private lastWrite = 0;
  /** its own commit is being announced: not a reason to run again */
  private own = false;
  private readonly st;
  private auto: boolean;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly opts: { onError: (err: Error) => void; auto?: boolean },
  ) {
    this.st = prepare(runner.db);
    this.auto = opts.auto !== false;
  }

  /** Off: it indexes only when asked (`catchUp`), e.g. for a bench's no-index peer; on: after commits again. */
  setAutomatic(on: boolean): void {
    this.auto = on;
    if (!on && this.timer) clearTimeout(this.timer);
    if (!on) this.timer = null;
    else this.schedule(0);
  }

  /** Something was committed: a slice follows soon. */
  wrote(): void {
    if (this.own) return;
    this.lastWrite = performance.now();
    this.schedule(QUEUE_INDEXING.afterWriteMs);
  }

  /** Indexes until the index is complete (tests, benches, a caller that wants it now); the rows indexed. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const { indexed, more } = await this.slice();
      total += indexed;
      if (!more) return total;
      // between slices, whatever else waits on the event loop runs
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Rows not in the index yet, and indexed rows whose text changed since (diagnostics, benches). */
  lag(): Promise<{ behind: number; dirty: number }> {
    return this.runner.outside(() => {
      const db = this.runner.db;
      const behind = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM messages WHERE seq > ?').get(this.st.marker.get()!.indexed_seq)!.n;
      const dirty = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM messages_search_dirty').get()!.n;
      return { behind, dirty };
    });
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.timer || this.running || this.stopped || !this.auto) return;
    this.timer = setTimeout(this.tick, ms);
    this.timer.unref();
  }

  private readonly tick = async (): Promise<void> => {
    this.timer = null;
    if (this.stopped || !this.runner.db.open) return;
    this.running = true;
    const started = performance.now();
    let more = false;
    try {
      more = (await this.slice()).more;
    } catch (err) {
      if (!this.stopped) this.opts.onError(new Error(`queue search indexing failed: ${(err as Error).message}`));
    } finally {
      this.running = false;
    }
    const took = performance.now() - started;
    const busy = this.lastWrite > started - QUEUE_INDEXING.afterWriteMs;
    if (more || this.lastWrite > started) this.schedule(busy ? Math.max(QUEUE_INDEXING.afterWriteMs, took * QUEUE_INDEXING.busyPause) : 0);
  };

  /** One transaction of at most sliceMs: dirty rows first, then the rows beyond the marker. */
  private slice(): Promise<{ indexed: number; more: boolean }> {
    return this.runner.outside(() => {
      // nothing to do opens no transaction: no commit to announce, no checkpoint to start
      if (!this.runner.db.open || this.st.pending.get()!.n === 0) return { indexed: 0, more: false };
      this.own = true;
      try {
        return this.runner.write(() => this.work(performance.now() + QUEUE_INDEXING.sliceMs), { durable: false });
      } finally {
        this.own = false;
      }
    });
  }

  private work(deadline: number): { indexed: number; more: boolean } {
    const { batchRows } = QUEUE_INDEXING;
    let indexed = 0;
    for (;;) {
      const dirty = this.st.dirty.all(batchRows);
      for (const { seq } of dirty) {
        // a dirty row is in the index (the trigger marks indexed rows only): replace its entry
        this.st.unindex.run(seq);
        const row = this.st.textOf.get(seq);
        if (row) this.st.index.run(seq, row.haystack);
        this.st.clean.run(seq);
      }
      const marker = this.st.marker.get()!.indexed_seq;
      const { upto, n } = this.st.batchEnd.get(marker, batchRows)!;
      if (upto !== null) {
        // (a virtual table's INSERT … SELECT does not count its rows in `changes`)
        this.st.indexRange.run(marker, upto);
        indexed += n;
        this.st.setMarker.run(upto);
      }
      const full = dirty.length === batchRows || upto !== null;
      if (!full) return { indexed, more: false };
      if (performance.now() >= deadline) return { indexed, more: true };
    }
  }
}
