import type { SyncStore } from './sync-store.js';
import type {
  AccountsPort,
  CapturedPort,
  DispatchPort,
  MessagesPort,
  ReportsPort,
  SettingsPort,
  Store,
  TransactionOptions,
  TransactionPorts,
} from './ports.js';

/** Runs synchronous store work now or once the gate opens, as a promise. */
type Runner = <T>(work: () => T) => Promise<T>;

/**
 * Keeps the SQLite connections to one user at a time. A transaction holds the gate while it awaits
 * (its own calls go straight through); every other call waits for it, in arrival order. Without it,
 * a statement issued between two awaits of a transaction would silently join it.
 */
class Gate {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  readonly run: Runner = <T>(work: () => T): Promise<T> => {
    if (!this.held) return settle(work);
    return new Promise<T>((resolve, reject) => this.waiting.push(() => settle(work).then(resolve, reject)));
  };

  async hold<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(() => ((this.held = true), resolve())));
    else this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
      // plain calls run at once; the next transaction takes the gate and stops the loop
      while (!this.held && this.waiting.length > 0) this.waiting.shift()!();
    }
  }
}

function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The ports over the synchronous SQLite classes, each call run through `run`; `inTransaction`: tx's ports. */
function portsOver(s: SyncStore, run: Runner, inTransaction: boolean): TransactionPorts {
  const messages: MessagesPort = {
    enqueue: (batch, now, opts) => run(() => s.messages.enqueueBatch(batch, now, opts)),
    get: (id) => run(() => s.messages.get(id)),
    timeline: (id, accountId) => run(() => s.messages.timeline(id, accountId)),
    list: (query) => run(() => s.messages.list(query)),
    listAll: (opts) => run(() => s.messages.listAll(opts)),
    deleteMany: (ids, now) => run(() => s.messages.deleteMany(ids, now)),
    retry: (id, now) => run(() => s.dispatch.retry(id, now)),
    purgeReported: (before, limit) => run(() => s.messages.purgeReported(before, limit)),
    countByState: () => run(() => s.messages.countByState()),
    countByAccount: () => run(() => s.messages.countByAccount()),
  };
  const dispatch: DispatchPort = {
    promoteDue: (now) => run(() => s.dispatch.promoteDue(now)),
    nextDueTs: () => run(() => s.dispatch.nextDueTs()),
    // the synchronous method looks at the exclusions only for leases expired at `now`
    nextLeaseExpiry: (excludeIds = []) =>
      run(() => s.dispatch.nextLeaseExpiry(excludeIds.length > 0 ? Infinity : -Infinity, () => excludeIds)),
    claim: (req) =>
      run(() =>
        s.dispatch.claimDue({
          now: req.now,
          leaseUntil: req.leaseUntil,
          limit: req.limit,
          capFor: req.caps
            ? (a) => (a === null ? req.caps!.noAccount : (req.caps!.perAccount.get(a) ?? req.caps!.otherAccounts))
            : undefined,
        }),
      ),
    beginAttempts: (items, now) => run(() => s.dispatch.beginAttempts(items, now)),
    markSent: (items, now) => run(() => s.dispatch.markSent(items, now)),
    markError: (items, now) => run(() => s.dispatch.markError(items, now)),
    defer: (items, now) => run(() => s.dispatch.defer(items, now)),
    releaseExpiredLeases: (now, expiredAt, excludeIds = []) => run(() => s.dispatch.releaseExpiredLeases(now, expiredAt, excludeIds)),
    releaseLeases: (ids, now, reason) => run(() => s.dispatch.releaseLeases(ids, now, reason)),
    rateWindowCounts: (accountId, now) => run(() => s.dispatch.rateWindowCounts(accountId, now)),
    sendLogSince: (accountId, since) => run(() => s.dispatch.sendLogSince(accountId, since)),
    countLeased: () => run(() => s.dispatch.countLeased()),
  };
  const accounts: AccountsPort = {
    upsert: (a, now) => run(() => s.accounts.upsert(a, now)),
    get: (id) => run(() => s.accounts.get(id)),
    list: () => run(() => s.accounts.list()),
    delete: (id) => run(() => s.accounts.delete(id)),
  };
  const settings: SettingsPort = {
    get: <T>(key: string) => run(() => s.settings.get<T>(key)),
    set: (key, value) => run(() => s.settings.set(key, value)),
    all: () => run(() => s.settings.all()),
  };
  const captured: CapturedPort = {
    // inside a transaction the main connection holds the write lock: join it (its durability applies)
    insertMany: (items, opts) =>
      run(() => (opts?.durable === false && !inTransaction ? s.captured.insertManyUnsynced(items) : s.captured.insertMany(items))),
    syncCommitted: () => s.captured.syncCommitted(),
    unindexed: (upToId, limit) => run(() => s.captured.unindexed(upToId, limit)),
    lastId: () => run(() => s.captured.lastId()),
    countUnindexed: (upToId) => run(() => s.captured.countUnindexed(upToId)),
    completeIndex: (entries) => run(() => s.captured.completeIndex(entries)),
    get: (id) => run(() => s.captured.get(id)),
    raw: (id) => run(() => s.captured.raw(id)),
    linkMessage: (capturedId, messageId) => run(() => s.captured.linkMessage(capturedId, messageId)),
    list: (query) => run(() => s.captured.list(query)),
    counts: () => run(() => s.captured.counts()),
    markRead: (id, read) => run(() => s.captured.markRead(id, read)),
    delete: (id) => run(() => s.captured.delete(id)),
    deleteAll: () => run(() => s.captured.deleteAll()),
    pruneBatch: (limits) => run(() => s.captured.pruneBatch(limits)),
  };
  const reports: ReportsPort = {
    pending: (limit) => run(() => s.reports.pending(limit)),
    markReported: (items, now) => run(() => s.reports.markReported(items, now)),
    purgeFinalUnreported: (before, limit) => run(() => s.reports.purgeFinalUnreported(before, limit)),
    pruneSendLog: (before, limit) => run(() => s.reports.pruneSendLog(before, limit)),
    pruneOrphanEvents: (afterSeq, chunk, before) => run(() => s.reports.pruneOrphanEvents(afterSeq, chunk, before)),
  };
  return { messages, dispatch, accounts, settings, captured, reports };
}

/** The async store over SQLite, with the synchronous classes underneath (`legacy`) while callers move over. */
export type AsyncSqliteStore = Store & { readonly legacy: SyncStore };

export function asyncStoreOver(sync: SyncStore): AsyncSqliteStore {
  const gate = new Gate();
  const outside = portsOver(sync, gate.run, false);
  const inside = portsOver(sync, settle, true);
  return {
    ...outside,
    legacy: sync,
    transaction: <T>(fn: (tx: TransactionPorts) => Promise<T>, opts: TransactionOptions = {}) =>
      gate.hold(() => sync.events.transactionAsync(() => fn(inside), opts)),
    integrityCheck: () => gate.run(() => sync.integrityCheck()),
    close: () => gate.hold(async () => sync.close()),
  };
}
