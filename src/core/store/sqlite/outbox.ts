import type { Database as DB } from 'better-sqlite3';
import type { MessageEvent } from '../../messages/types.js';
import type { StoreAnnouncements } from '../ports.js';

/**
 * What the open transaction will announce once it commits: the timeline rows it wrote (in the same
 * transaction as the transition they describe) and the accounts it changed. A rollback discards them.
 */
export class Outbox {
  private readonly insert;
  private events: MessageEvent[] = [];
  /** accountKey -> id */
  private accounts = new Map<string, string>();
  private tenants = new Set<string>();

  constructor(
    db: DB,
    private readonly announce: Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged'>,
  ) {
    this.insert = db.prepare('INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Writes a timeline row; call only inside a transaction. */
  record(ev: MessageEvent): void {
    const info = this.insert.run(ev.tenant_id, ev.message_id, ev.ts, ev.type, ev.state, ev.detail ? JSON.stringify(ev.detail) : null);
    ev.seq = Number(info.lastInsertRowid);
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

  /** The open transaction changed this account (by accountKey): what is read of it may still be rolled back. */
  changedUncommitted(key: string): boolean {
    return this.accounts.has(key);
  }

  tenantChanged(id: string): void {
    this.tenants.add(id);
  }

  /** The transaction rolled back. */
  discard(): void {
    if (this.events.length > 0) this.events = [];
    if (this.accounts.size > 0) this.accounts = new Map();
    if (this.tenants.size > 0) this.tenants = new Set();
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
