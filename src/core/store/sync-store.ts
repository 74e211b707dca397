import { openUnsyncedConnection, type DB } from './db.js';
import { EventLog } from './event-log.js';
import { MessageStore } from './message-store.js';
import { AccountStore } from './account-store.js';
import { SettingsStore } from './settings-store.js';
import { DispatchStore } from './dispatch-store.js';
import { CapturedStore } from './captured-store.js';
import { ReportStore } from './report-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { plainSecretCodec, type SecretCodec } from '../secrets.js';
import type { StoreAnnouncements } from './ports.js';

export interface StoreOptions extends StoreAnnouncements {
  path: string;
  nativeBinding?: string;
  secrets?: SecretCodec;
}

/**
 * The synchronous SQLite classes under the async ports (see async-store.ts); callers move to the
 * ports, and this goes away once none is left.
 */
export class SyncStore {
  readonly events: EventLog;
  readonly messages: MessageStore;
  readonly accounts: AccountStore;
  readonly settings: SettingsStore;
  readonly dispatch: DispatchStore;
  readonly captured: CapturedStore;
  readonly reports: ReportStore;
  private readonly checkpointer: WalCheckpointer | null;
  /** captured mail is written on its own connection, see openUnsyncedConnection */
  private readonly unsyncedDb: DB | null;

  constructor(
    readonly db: DB,
    opts: Omit<StoreOptions, 'path'> = {},
  ) {
    this.unsyncedDb = openUnsyncedConnection(db, opts.nativeBinding);
    this.checkpointer = this.unsyncedDb
      ? new WalCheckpointer([db, this.unsyncedDb], { nativeBinding: opts.nativeBinding, onError: (err) => opts.onBackgroundError?.(err) })
      : null;
    const wrote = this.checkpointer ? () => this.checkpointer!.wrote() : () => undefined;
    this.events = new EventLog(
      db,
      { messages: (evs) => opts.onMessageEvents?.(evs), accounts: (ids) => opts.onAccountsChanged?.(ids) },
      wrote,
    );
    this.messages = new MessageStore(db, this.events);
    this.accounts = new AccountStore(db, opts.secrets ?? plainSecretCodec, this.events);
    this.settings = new SettingsStore(db);
    this.dispatch = new DispatchStore(db, this.events);
    this.captured = new CapturedStore(db, this.events, wrote, this.unsyncedDb);
    this.reports = new ReportStore(db, this.events);
  }

  /** PRAGMA integrity_check result ('ok' when healthy). */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  close(): void {
    // first: its worker's connection closes before ours, so the last of them removes the WAL
    this.checkpointer?.close();
    this.captured.close();
    if (this.unsyncedDb?.open) this.unsyncedDb.close();
    if (this.db.open) this.db.close();
  }
}
