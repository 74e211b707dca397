import type { Database as DB, Statement } from 'better-sqlite3';
import type { MessageEvent } from '../../messages/types.js';
import type { TransactionRunner } from './transaction-runner.js';

/** Rows per multi-row statement: the batches of one outcome flush (twice the connections) fit in one. */
export const BATCH_ROWS = 32;

/**
 * One statement per row count (1..BATCH_ROWS), prepared on first use and kept: a batch of n rows is
 * bound as one statement instead of n runs of a one-row statement.
 */
export class SizedStatements<R = unknown> {
  private readonly bySize: (Statement<unknown[], R> | undefined)[] = [];

  constructor(
    private readonly db: Pick<DB, 'prepare'>,
    /** the SQL for `n` rows */
    private readonly sqlFor: (n: number) => string,
  ) {}

  of(n: number): Statement<unknown[], R> {
    if (n < 1 || n > BATCH_ROWS) throw new Error(`a batch statement takes 1..${BATCH_ROWS} rows, not ${n}`);
    let st = this.bySize[n];
    if (!st) {
      st = this.db.prepare<unknown[], R>(this.sqlFor(n));
      this.bySize[n] = st;
    }
    return st;
  }
}

/** `(?, ?, ?), (?, ?, ?)` for n rows of `width` values. */
export function valuesRows(n: number, width: number): string {
  const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: n }, () => row).join(', ');
}

/** Calls fn for consecutive slices of at most BATCH_ROWS items. */
export function inChunks<T>(items: readonly T[], fn: (chunk: readonly T[]) => void): void {
  for (let i = 0; i < items.length; i += BATCH_ROWS) fn(items.slice(i, i + BATCH_ROWS));
}

const EVENT_WIDTH = 6;

function prepareEventRows({ db }: Pick<TransactionRunner, 'db'>) {
  return new SizedStatements(
    db,
    (n) => `INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail) VALUES ${valuesRows(n, EVENT_WIDTH)}`,
  );
}

/**
 * Writes the timeline rows of a batch of transitions in multi-row INSERTs and has the outbox announce
 * them after the commit (Outbox.record writes one row per statement). Call inside a transaction.
 */
export function writeEvents(runner: TransactionRunner, events: readonly MessageEvent[]): void {
  if (events.length === 0) return;
  const insert = runner.once(prepareEventRows);
  inChunks(events, (chunk) => {
    const params: unknown[] = [];
    for (const ev of chunk) params.push(ev.tenant_id, ev.message_id, ev.ts, ev.type, ev.state, ev.detail ? JSON.stringify(ev.detail) : null);
    const last = Number(insert.of(chunk.length).run(...params).lastInsertRowid);
    // AUTOINCREMENT gives the rows of one INSERT consecutive seqs, in VALUES order
    chunk.forEach((ev, i) => (ev.seq = last - chunk.length + 1 + i));
  });
  for (const ev of events) runner.outbox.notify(ev);
}
