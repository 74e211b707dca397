import type { RetentionLimits } from '../records.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

export function prepareRetentionStatements({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    deleteRow: db.prepare<[number]>('DELETE FROM captured WHERE id = ?'),
    deleteRaw: db.prepare<[number]>('DELETE FROM captured_raw WHERE id = ?'),
    deleteFts: db.prepare<[number]>('DELETE FROM captured_fts WHERE rowid = ?'),
    countAll: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured'),
    deleteAll: db.prepare('DELETE FROM captured'),
    deleteAllRaw: db.prepare('DELETE FROM captured_raw'),
    deleteAllFts: db.prepare(`INSERT INTO captured_fts(captured_fts) VALUES ('delete-all')`),
    oldest: db.prepare<[number], { id: number }>('SELECT id FROM captured ORDER BY id LIMIT ?'),
    idRange: db.prepare<[], { lo: number | null; hi: number | null }>('SELECT (SELECT min(id) FROM captured) AS lo, (SELECT max(id) FROM captured) AS hi'),
    olderThan: db.prepare<[number, number], { id: number }>('SELECT id FROM captured WHERE received_ts < ? ORDER BY received_ts LIMIT ?'),
  };
}

/** Deleting captured mail: one message, all of it, or retention's bounded batches (summary, source and index together). */
export class CapturedRetention {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepareRetentionStatements);
  }

  delete(id: number) {
    return this.scope(() => this.deleteIds([id]) > 0);
  }

  /** In one transaction; returns the ids that existed (and are gone now). */
  deleteMany(ids: readonly number[]) {
    return this.scope(() =>
      this.runner.write(() => [...new Set(ids)].filter((id) => this.deleteIds([id]) > 0)),
    );
  }

  /** Returns how many there were. */
  deleteAll() {
    return this.scope(() =>
      this.runner.write(() => {
        const n = this.st.countAll.get()?.n ?? 0;
        this.st.deleteAll.run();
        this.st.deleteAllRaw.run();
        this.st.deleteAllFts.run();
        return n;
      }),
    );
  }

  /**
   * Deletes at most `limits.batch` messages beyond the count limit or older than the age limit, oldest
   * first, so that ingest never waits long for the write lock; an empty list: nothing left to prune.
   */
  pruneBatch(limits: RetentionLimits) {
    return this.scope(() => {
      const ids = new Set<number>();
      if (limits.keepCount > 0 && this.mayExceed(limits.keepCount)) {
        // COUNT(*) counts the cells of the smallest index page by page; an OFFSET walked and decoded `keep` rows
        const excess = (this.st.countAll.get()?.n ?? 0) - limits.keepCount;
        if (excess > 0) for (const r of this.st.oldest.all(Math.min(excess, limits.batch))) ids.add(r.id);
      }
      if (limits.receivedBefore !== null && ids.size < limits.batch) {
        for (const r of this.st.olderThan.all(limits.receivedBefore, limits.batch - ids.size)) ids.add(r.id);
      }
      if (ids.size === 0) return [];
      const list = [...ids];
      // not fsynced: a power loss can only bring back rows the next prune deletes again
      this.deleteIds(list, { durable: false });
      return list;
    });
  }

  /**
   * Two index lookups instead of walking `keep` rows: ids are unique, so when the id range is no
   * wider than `keep` the table cannot hold more (a retention check runs after every burst of captures).
   */
  private mayExceed(keep: number): boolean {
    const { lo, hi } = this.st.idRange.get() ?? { lo: null, hi: null };
    return lo !== null && hi !== null && hi - lo + 1 > keep;
  }

  private deleteIds(ids: number[], opts: { durable?: boolean } = {}): number {
    return this.runner.write(() => {
      let n = 0;
      for (const id of ids) {
        if (this.st.deleteRow.run(id).changes === 0) continue;
        this.st.deleteRaw.run(id);
        this.st.deleteFts.run(id);
        n++;
      }
      return n;
    }, opts);
  }
}
