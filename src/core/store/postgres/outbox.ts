import type { MessageEvent } from '../../messages/types.js';
import type { StoreAnnouncements } from '../ports.js';
import type { Db } from './connection.js';
import { encodeNotices, NOTIFY_CHANNEL } from './notify.js';

type Announce = Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged'>;

/**
 * What the open transaction will announce once it commits, as sqlite/outbox.ts: the timeline rows it
 * wrote (in the same transaction as the transition they describe), the accounts and tenants it
 * changed. A rollback discards them. With an origin, publish() tells the other relays of the database
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

  /** Just before COMMIT, in the transaction: NOTIFY the ids it changed (nothing reaches a listener on rollback). */
  async publish(db: Db): Promise<void> {
    if (this.origin === null) return;
    const changes = { events: this.events, accounts: [...new Set(this.accounts.values())], tenants: [...this.tenants] };
    for (const payload of encodeNotices(this.origin, changes)) await db.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
  }

  /** Writes a timeline row; call only inside a transaction. */
  async record(db: Db, ev: MessageEvent): Promise<void> {
    const { rows } = await db.query<{ seq: number }>(
      'INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq',
      [ev.tenant_id, ev.message_id, ev.ts, ev.type, ev.state, ev.detail ? JSON.stringify(ev.detail) : null],
    );
    ev.seq = rows[0].seq;
    this.events.push(ev);
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
