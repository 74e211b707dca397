import { openDatabase, openUnsyncedConnection, type DB } from './db.js';
import { EventLog } from './event-log.js';
import { MessageStore } from './message-store.js';
import { AccountStore } from './account-store.js';
import { SettingsStore } from './settings-store.js';
import { DispatchStore } from './dispatch-store.js';
import { CapturedStore } from './captured-store.js';
import { ReportStore } from './report-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import type { MessageEvent } from '../queue/types.js';
import { plainSecretCodec, type SecretCodec } from '../secrets.js';

export interface StoreOptions {
  path: string;
  nativeBinding?: string;
  secrets?: SecretCodec;
  /** called after each committed transaction with the timeline rows it wrote */
  onMessageEvents?: (events: MessageEvent[]) => void;
  /** a background task of the store (WAL checkpoints) failed; the store carries on */
  onBackgroundError?: (err: Error) => void;
}

/**
 * The only place that speaks SQL. Its surface is queue operations (enqueue batch, claim due,
 * mark sent, ...), so another backend can replace it without touching delivery or the API.
 */
export class Store {
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
    this.events = new EventLog(db, (evs) => opts.onMessageEvents?.(evs), wrote);
    this.messages = new MessageStore(db, this.events);
    this.accounts = new AccountStore(db, opts.secrets ?? plainSecretCodec);
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

export function openStore(opts: StoreOptions): Store {
  return new Store(openDatabase({ path: opts.path, nativeBinding: opts.nativeBinding }), opts);
}

export type { DB };
