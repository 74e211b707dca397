import pg from 'pg';
import type { MessageEvent } from '../../messages/types.js';
import type { StoreAnnouncements } from '../ports.js';
import type { ChangedMessage } from '../sql/outcome-events.js';
import type { Db } from './connection.js';
import { encodeNotices, NOTIFY_CHANNEL } from './notify.js';

/** A message a statement changed, with its queue seq. */
export type ChangedRow = ChangedMessage & { seq: number };

/** The first item of each seq: a later one for the same message would find it changed already. */
export const firstPerSeq = <T extends { seq: number }>(items: readonly T[]): T[] => {
  const seen = new Set<number>();
  return items.filter((it) => !seen.has(it.seq) && seen.add(it.seq));
};

type Announce = Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged'>;

/**
 * What the open transaction will announce once it commits, as sqlite/outbox.ts: the timeline rows it
 * wrote (in the same transaction as the transition they describe), the accounts and tenants it
 * changed. A rollback discards them. With an origin, commitSql() tells the other relays of the database
 * too: NOTIFY inside the transaction is delivered on commit only (notify.ts).
 */
export class PgOutbox {
  private events: MessageEvent[] = [];
  /** accountKey -> id */
  private accounts = new Map<string, string>();
  private tenants = new Set<string>();

  constructor(
    private readonly announce: Announce,
    /** this store's origin in the notices; null: nobody else listens (one relay) */
    private readonly origin: string | null = null,
  ) {}

  /**
   * What the transaction sends with its COMMIT, in the same round trip: a NOTIFY of the ids it changed
   * (delivered on commit only, never for a rollback), then `COMMIT`.
   */
  commitSql(): string {
    if (this.origin === null) return 'COMMIT';
    const changes = { events: this.events, accounts: [...new Set(this.accounts.values())], tenants: [...this.tenants] };
    const notices = encodeNotices(this.origin, changes).map((payload) => `SELECT pg_notify('${NOTIFY_CHANNEL}', ${pg.escapeLiteral(payload)});`);
    return [...notices, 'COMMIT'].join(' ');
  }

  /** Writes a timeline row; call only inside a transaction. */
  record(db: Db, ev: MessageEvent): Promise<void> {
    return this.recordMany(db, [ev]);
  }

  /** Writes timeline rows in one statement, their seqs in the given order; call only inside a transaction. */
  async recordMany(db: Db, evs: MessageEvent[]): Promise<void> {
    if (evs.length === 0) return;
    const { rows } = await db.query<{ seq: number }>(
      `INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail)
         SELECT t, m, ts, ty, st, d FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
           WITH ORDINALITY AS e(t, m, ts, ty, st, d, n) ORDER BY n
         RETURNING seq`,
      [evs.map((e) => e.tenant_id), evs.map((e) => e.message_id), evs.map((e) => e.ts), evs.map((e) => e.type), evs.map((e) => e.state),
        evs.map((e) => (e.detail ? JSON.stringify(e.detail) : null))],
    );
    // an INSERT runs serially: the identity hands out seqs in the SELECT's order, whatever order RETURNING lists them in
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    evs.forEach((ev, k) => (ev.seq = seqs[k]));
    this.events.push(...evs);
  }

  /**
   * One round trip for a change and its timeline rows: `changes` is a WITH list (params from $1) whose CTE
   * `u` returns (seq, id, tenant_id) of the messages it changed; each changed message gets the row
   * `event` builds of its item (the first item per seq), in the items' order. Answers the changed rows.
   */
  async changeAndRecord<T extends { seq: number }>(
    db: Db,
    changes: string,
    params: unknown[],
    items: readonly T[],
    event: (m: ChangedMessage, it: T) => MessageEvent,
  ): Promise<ChangedRow[]> {
    const first = firstPerSeq(items);
    const protos = first.map((it) => event({ id: '', tenant_id: '' }, it));
    const k = params.length;
    const { rows } = await db.query<ChangedRow & { event_seq: number | null }>(
      `WITH ${changes},
       ev AS (INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail)
         SELECT u.tenant_id, u.id, e.ts, e.ty, e.st, e.d
         FROM unnest($${k + 1}::bigint[], $${k + 2}::bigint[], $${k + 3}::text[], $${k + 4}::text[], $${k + 5}::text[]) WITH ORDINALITY AS e(seq, ts, ty, st, d, n)
         JOIN u ON u.seq = e.seq ORDER BY e.n
         RETURNING seq, tenant_id, message_id)
       SELECT u.seq, u.id, u.tenant_id, ev.seq AS event_seq FROM u LEFT JOIN ev ON ev.tenant_id = u.tenant_id AND ev.message_id = u.id`,
      [...params, first.map((it) => it.seq), protos.map((e) => e.ts), protos.map((e) => e.type), protos.map((e) => e.state),
        protos.map((e) => (e.detail ? JSON.stringify(e.detail) : null))],
    );
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    const evs = first.flatMap((it, i) => {
      const row = bySeq.get(it.seq);
      if (!row || row.event_seq === null) return [];
      return [{ ...protos[i], message_id: row.id, tenant_id: row.tenant_id, seq: row.event_seq }];
    });
    // the identity hands out seqs in the INSERT's order (the items'); announced in that order
    this.events.push(...evs.sort((a, b) => a.seq - b.seq));
    return rows.map(({ seq, id, tenant_id }) => ({ seq, id, tenant_id }));
  }

  /** Announces an event without keeping a row (the deletion of the message itself). */
  notify(ev: MessageEvent): void {
    this.events.push(ev);
  }

  /** `key`: accountKey(tenant, id); announced as the account's id */
  accountChanged(key: string, id: string): void {
    this.accounts.set(key, id);
  }

  tenantChanged(id: string): void {
    this.tenants.add(id);
  }

  /** The transaction rolled back. */
  discard(): void {
    this.events = [];
    this.accounts = new Map();
    this.tenants = new Set();
  }

  /** The transaction committed: announce, in commit order. */
  flush(): void {
    const events = this.events;
    const accounts = this.accounts;
    const tenants = this.tenants;
    this.discard();
    if (events.length > 0) this.announce.onMessageEvents?.(events);
    if (accounts.size > 0) this.announce.onAccountsChanged?.([...new Set(accounts.values())]);
    if (tenants.size > 0) this.announce.onTenantsChanged?.([...tenants]);
  }
}
