import type { RetentionLimits } from '../records.js';
import type { Db } from './connection.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** Deletes these captures with their sources; answers how many existed. */
async function deleteIds(db: Db, ids: number[]): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM captured WHERE id = ANY($1::bigint[])', [ids]);
  await db.query('DELETE FROM captured_raw WHERE id = ANY($1::bigint[])', [ids]);
  return rowCount ?? 0;
}

/** Deleting captured mail: one message, all of it, or retention's bounded batches (summary, source and index together). */
export class PgCapturedRetention {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  delete(id: number) {
    return this.scope((db) => this.runner.write(db, async (tx) => (await deleteIds(tx, [id])) > 0));
  }

  /** In one transaction; returns the ids that existed (and are gone now). */
  deleteMany(ids: readonly number[]) {
    const list = [...new Set(ids)];
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        if (list.length === 0) return [];
        const { rows } = await tx.query<{ id: string | number }>('DELETE FROM captured WHERE id = ANY($1::bigint[]) RETURNING id', [list]);
        await tx.query('DELETE FROM captured_raw WHERE id = ANY($1::bigint[])', [list]);
        const gone = new Set(rows.map((r) => Number(r.id)));
        return list.filter((id) => gone.has(id));
      }),
    );
  }

  /** Returns how many there were. */
  deleteAll() {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const { rowCount } = await tx.query('DELETE FROM captured');
        await tx.query('DELETE FROM captured_raw');
        return rowCount ?? 0;
      }),
    );
  }

  /** Deletes at most `limits.batch` messages beyond the count limit or older than the age limit, oldest first. */
  pruneBatch(limits: RetentionLimits) {
    return this.scope(async (db) => {
      const ids = new Set<number>();
      if (limits.keepCount > 0) {
        const boundary = (await db.query<{ id: number }>('SELECT id FROM captured ORDER BY id DESC LIMIT 1 OFFSET $1', [limits.keepCount])).rows[0];
        if (boundary) {
          const { rows } = await db.query<{ id: number }>('SELECT id FROM captured WHERE id <= $1 ORDER BY id LIMIT $2', [boundary.id, limits.batch]);
          for (const r of rows) ids.add(r.id);
        }
      }
      if (limits.receivedBefore !== null && ids.size < limits.batch) {
        const { rows } = await db.query<{ id: number }>(
          'SELECT id FROM captured WHERE received_ts < $1 ORDER BY received_ts, id LIMIT $2',
          [limits.receivedBefore, limits.batch - ids.size],
        );
        for (const r of rows) ids.add(r.id);
      }
      if (ids.size === 0) return [];
      const list = [...ids];
      await this.runner.write(db, (tx) => deleteIds(tx, list));
      return list;
    });
  }
}
