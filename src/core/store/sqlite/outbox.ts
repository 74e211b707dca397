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
  private accounts = new Set<string>();

  constructor(
    db: DB,
    private readonly announce: Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged'>,
  ) {
    this.insert = db.prepare('INSERT INTO message_events (message_id, ts, type, state, detail) VALUES (?, ?, ?, ?, ?)');
  }

  /** Writes a timeline row; call only inside a transaction. */
  record(ev: MessageEvent): void {
    const info = this.insert.run(ev.message_id, ev.ts, ev.type, ev.state, ev.detail ? JSON.stringify(ev.detail) : null);
    ev.seq = Number(info.lastInsertRowid);
    this.events.push(ev);
  }

  /** Announces an event without keeping a row (the deletion of the message itself). */
  notify(ev: MessageEvent): void {
    this.events.push(ev);
  }

  accountChanged(id: string): void {
    this.accounts.add(id);
  }

  /** The open transaction changed this account: what is read of it may still be rolled back. */
  changedUncommitted(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  /** The transaction rolled back. */
  discard(): void {
    if (this.events.length > 0) this.events = [];
    if (this.accounts.size > 0) this.accounts = new Set();
  }

  /** The transaction committed: announce, in commit order. */
  flush(): void {
    const events = this.events;
    const accounts = this.accounts;
    this.discard();
    if (events.length > 0) this.announce.onMessageEvents?.(events);
    if (accounts.size > 0) this.announce.onAccountsChanged?.([...accounts]);
  }
}
