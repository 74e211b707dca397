import type { MessageEvent, MessagePayload, MessageRecord, MessageState, MessageSummary } from '../messages/types.js';
import type {
  Account,
  AccountInput,
  AttemptStart,
  CapturedCounts,
  CapturedMailboxes,
  CapturedIndexEntry,
  CapturedSummary,
  ClaimedMessage,
  ClaimRequest,
  DeferOutcome,
  EnqueueResult,
  ErrorOutcome,
  ListCapturedQuery,
  CapturedSearch,
  ListMessagesQuery,
  MessageKey,
  NewCaptured,
  OrphanSweepStep,
  Page,
  PendingReport,
  RetentionLimits,
  RetryResult,
  SentOutcome,
  Tenant,
  TenantConfig,
} from './records.js';

export type * from './records.js';
export { DEFAULT_TENANT, accountKey, messageKey } from './records.js';

/**
 * The store's surface: one port per concern, every method async, so that a second backend (PostgreSQL)
 * can implement the same interfaces. Callers import these types only; StoreAnnouncements says what is
 * announced after each commit (never for a rollback).
 */

/** Queue-level operations on messages: accept, inspect, delete, retry. A message is unique per (tenant_id, id). */
export interface MessagesPort {
  /**
   * Inserts or replaces a batch in one durable transaction, each message in its payload's tenant
   * (absent: the default tenant). A pending or failed id is replaced (keeping its queue position); a
   * sent id is refused with `already sent`, one being sent with `already sending`.
   */
  enqueue(batch: MessagePayload[], now: number, opts?: { source_captured_id?: number }): Promise<EnqueueResult>;
  get(key: MessageKey): Promise<MessageRecord | null>;
  /** the message's timeline, oldest first */
  timeline(key: MessageKey, accountId: string | null): Promise<MessageEvent[]>;
  /** newest first, keyset-paginated */
  list(query: ListMessagesQuery): Promise<Page<MessageSummary>>;
  /** every row of the tenant in dispatch order (genro-mail-proxy GET /messages) */
  listAll(opts: { tenantId: string; activeOnly?: boolean }): Promise<MessageRecord[]>;
  /** deletes the tenant's messages whatever their state; names the ids that did not exist */
  deleteMany(tenantId: string, ids: string[], now: number): Promise<{ removed: number; not_found: string[] }>;
  /** a failed or waiting message goes back to the queue now, with a fresh retry budget */
  retry(key: MessageKey, now: number): Promise<RetryResult>;
  /** deletes at most `limit` final messages whose report is older than `before` (and their events); of one tenant if given */
  purgeReported(before: number, limit?: number, tenantId?: string): Promise<number>;
  /** messages of the tenant (of the batch, if given) without a final outcome yet */
  countPending(tenantId: string, batchCode?: string | null): Promise<number>;
  countByState(): Promise<Record<MessageState, number>>;
  /** final outcomes of every tenant not yet reported to the application */
  countUnreported(): Promise<number>;
  countByAccount(): Promise<{ tenant_id: string; account_id: string | null; state: MessageState; n: number }[]>;
}

/** A relay process working on the database; several share one PostgreSQL database (issue #19). */
export interface RelayInstance {
  /** random, one per process */
  id: string;
  host: string;
  pid: number;
  started_ts: number;
}

/**
 * Whose expired leases a relay may take back: a lease held by another relay that sent a heartbeat
 * within `liveSeconds` stays that relay's (it is renewing it, or about to). Without it: every lease.
 */
export interface LeaseScope {
  /** the asking relay's instance id */
  owner: string;
  liveSeconds: number;
}

/** An account whose rate windows a claim locks (see DispatchPort.lockRateWindows). */
export interface RateWindowLock {
  tenant_id: string;
  id: string;
  whenQueued?: readonly (string | null)[];
}

/** A rate slot taken by a send in flight, counted by every relay until the send's outcome (PostgreSQL). */
export interface RateSlot {
  seq: number;
  tenant_id: string;
  account_id: string;
}

/** An account backing off after connection failures, as every relay sharing the database sees it. */
export interface SharedBackoff {
  tenant_id: string;
  account_id: string;
  until: number;
  error: string;
}

/** The delivery engine's transitions: claims, leases, outcomes, the send log. Messages are named by seq. */
export interface DispatchPort {
  /** deferred messages whose time has come go back to the queue */
  promoteDue(now: number): Promise<number>;
  /** when the earliest deferred message becomes due, or null */
  nextDueTs(): Promise<number | null>;
  /**
   * earliest lease expiry among messages being sent, ignoring `excludeSeqs` (sends in progress here); with
   * a scope, a live relay's lease counts from when its heartbeat would go stale
   */
  nextLeaseExpiry(excludeSeqs?: readonly number[], scope?: LeaseScope): Promise<number | null>;
  /** leases due messages (state `sending`) in priority, then FIFO order, within the request's caps, leaving held work */
  claim(req: ClaimRequest): Promise<ClaimedMessage[]>;
  /** records the start of SMTP attempts (`attempt` events) */
  beginAttempts(items: AttemptStart[], now: number): Promise<void>;
  markSent(items: SentOutcome[], now: number): Promise<void>;
  markError(items: ErrorOutcome[], now: number): Promise<void>;
  defer(items: DeferOutcome[], now: number): Promise<void>;
  /** leases expired at `expiredAt` go back to the queue, except `excludeSeqs` and, with a scope, those of live relays */
  releaseExpiredLeases(now: number, expiredAt: number, excludeSeqs?: readonly number[], scope?: LeaseScope): Promise<number>;
  /** pushes the leases of these messages, still `sending` (and the owner's, where leases carry one), to `leaseUntil`, in one statement */
  renewLeases(seqs: readonly number[], leaseUntil: number, owner: string): Promise<number>;
  /** the relay is alive (SQLite, one relay per file: nothing to record) */
  heartbeat(relay: RelayInstance, now: number): Promise<void>;
  /** the relay stopped and returned its leases: it is forgotten */
  forgetRelay(id: string): Promise<void>;
  /** the relays whose heartbeat is later than `since` (SQLite: none recorded) */
  liveRelays(since: number): Promise<RelayInstance[]>;
  /**
   * Inside a claim's transaction: locks the rate windows of these accounts until the commit and answers
   * their counted send times after `since` (sent, and in flight on other relays), keyed by accountKey.
   * null: the store serves one relay, whose own counts are exact (SQLite). An account given `whenQueued`
   * (ids of its tenant's accounts whose messages may go out through it; null: messages without one) is
   * locked and answered only if one of them has queued work: the answer's keys are the accounts locked.
   */
  lockRateWindows(accounts: readonly RateWindowLock[], since: number, owner: string): Promise<Map<string, number[]> | null>;
  /** records the rate slots the claim's sends took (released by their outcome, or their lease's release) */
  takeRateSlots(slots: readonly RateSlot[], now: number, owner: string): Promise<void>;
  /** an account backs off (until a time) or recovered (null) for every relay; SQLite: nothing to share */
  shareBackoff(tenantId: string, accountId: string, until: number | null, error: string): Promise<void>;
  /** backoffs still running at `now`; null when the store serves one relay (SQLite) */
  sharedBackoffs(now: number): Promise<SharedBackoff[] | null>;
  /** specific leased messages go back to the queue (a send abandoned or held) */
  releaseLeases(seqs: number[], now: number, reason: string): Promise<number>;
  /** sends accepted through the tenant's account within the last minute, hour and day */
  rateWindowCounts(tenantId: string, accountId: string, now: number): Promise<{ minute: number; hour: number; day: number }>;
  /** send times of the tenant's account after `since`, ascending */
  sendLogSince(tenantId: string, accountId: string, since: number): Promise<number[]>;
  /** messages in state `sending`, whoever holds them */
  countLeased(): Promise<number>;
}

/** SMTP accounts, unique per (tenant_id, id). */
export interface AccountsPort {
  /** insert or replace (genro-mail-proxy semantics: created_at resets) */
  upsert(account: AccountInput, now: number): Promise<void>;
  get(tenantId: string, id: string): Promise<Account | null>;
  /** the tenant's accounts ordered by id; without a tenant every account, ordered by tenant then id */
  list(tenantId?: string): Promise<Account[]>;
  /** deletes the account and, as genro-mail-proxy does, its messages, their events and its send log */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** The tenants of genro-mail-proxy v0.6.10 (the default tenant has no row). */
export interface TenantsPort {
  /** inserts, or replaces every configured field of, the tenant; says whether it was new */
  upsert(id: string, config: TenantConfig, now: number): Promise<{ created: boolean }>;
  get(id: string): Promise<Tenant | null>;
  /** ordered by id */
  list(opts?: { activeOnly?: boolean }): Promise<Tenant[]>;
  /** changes the given fields; false when the tenant does not exist */
  update(id: string, patch: Partial<TenantConfig>, now: number): Promise<boolean>;
  /** deletes the tenant with its accounts, messages, their events and its send log */
  delete(id: string): Promise<boolean>;
  /** replaces the tenant's API key (its hash); false when the tenant does not exist */
  setApiKey(id: string, hash: string, expiresAt: number | null, now: number): Promise<boolean>;
  clearApiKey(id: string, now: number): Promise<boolean>;
  byApiKeyHash(hash: string): Promise<Tenant | null>;
  /** the batches held back from dispatch (['*']: all); false when the tenant does not exist */
  setSuspendedBatches(id: string, batches: string[], now: number): Promise<boolean>;
}

/** Key/value settings (JSON values). */
export interface SettingsPort {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** writes these keys into the object stored under `key` (made one if absent), its other keys untouched */
  merge(key: string, patch: Record<string, unknown>): Promise<void>;
  all(): Promise<Record<string, unknown>>;
}

/** Mail captured by the sandbox sink: raw source once, summary, full-text index. */
export interface CapturedPort {
  /**
   * Stores messages in one transaction, all or none; summaries in the same order. `durable: false`
   * commits without waiting for the disk (durable once `syncCommitted` resolves); inside
   * Store.transaction the call is part of it and the transaction's durability applies.
   */
  insertMany(items: { m: NewCaptured; raw: Buffer }[], opts?: { durable?: boolean }): Promise<CapturedSummary[]>;
  /** resolves once every commit made so far is on disk */
  syncCommitted(): Promise<void>;
  /** ids (oldest first, at most `limit`, none above `upToId`) still waiting for their text index */
  unindexed(upToId: number, limit: number): Promise<number[]>;
  /** the id of the newest message (0: none) */
  lastId(): Promise<number>;
  countUnindexed(upToId?: number): Promise<number>;
  /** records parsed text, attachment counts and previews; skips deleted or already indexed ones */
  completeIndex(entries: CapturedIndexEntry[]): Promise<number>;
  get(id: number): Promise<CapturedSummary | null>;
  raw(id: number): Promise<Buffer | null>;
  /** links a capture to the queue entry (by seq) whose sandbox delivery produced it (a `captured` timeline row) */
  linkMessage(capturedId: number, messageSeq: number): Promise<void>;
  /** newest first, keyset-paginated */
  list(query: ListCapturedQuery): Promise<Page<CapturedSummary>>;
  /** how many messages the search matches */
  countMatching(search: CapturedSearch): Promise<number>;
  counts(): Promise<CapturedCounts>;
  /** captured mail grouped by SMTP AUTH username (null: sent without AUTH), by tenant and by tag, with unread counts, by name */
  mailboxes(): Promise<CapturedMailboxes>;
  markRead(id: number, read?: boolean): Promise<boolean>;
  delete(id: number): Promise<boolean>;
  /** deletes these messages in one transaction; answers the ids that existed */
  deleteMany(ids: readonly number[]): Promise<number[]>;
  deleteAll(): Promise<number>;
  /** deletes at most `limits.batch` messages over the limits, oldest first; returns their ids */
  pruneBatch(limits: RetentionLimits): Promise<number[]>;
}

/** Final outcomes waiting to be reported, their acknowledgement, and retention's bounded deletes. */
export interface ReportsPort {
  /** the tenant's oldest final outcomes not yet reported */
  pending(tenantId: string, limit: number): Promise<PendingReport[]>;
  /** how many final outcomes of the tenant wait to be reported, counted up to `cap` */
  countPending(tenantId: string, cap: number): Promise<number>;
  /** marks exactly these outcomes reported; returns how many rows were marked */
  markReported(reports: PendingReport[], now: number): Promise<number>;
  /** deletes the tenant's final messages never reported that ended before `before` (no application configured) */
  purgeFinalUnreported(tenantId: string, before: number, limit: number): Promise<number>;
  /** deletes at most `limit` send-log rows older than `before` */
  pruneSendLog(before: number, limit: number): Promise<number>;
  /** one bounded step of the sweep of timeline rows whose message no longer exists */
  pruneOrphanEvents(afterSeq: number, chunk: number, before: number): Promise<OrphanSweepStep>;
}

/** The ports as seen from inside a transaction: every call joins it. */
export interface TransactionPorts {
  readonly messages: MessagesPort;
  readonly dispatch: DispatchPort;
  readonly accounts: AccountsPort;
  readonly tenants: TenantsPort;
  readonly settings: SettingsPort;
  readonly captured: CapturedPort;
  readonly reports: ReportsPort;
}

export interface TransactionOptions {
  /**
   * false: commit without waiting for the disk (survives a crash of the process; a power loss may
   * undo it). Dispatch bookkeeping uses this; accepting messages never does. Default true.
   */
  durable?: boolean;
}

export interface Store extends TransactionPorts {
  /**
   * Runs fn in one transaction: the ports it receives join it, everything commits or nothing does, and
   * its timeline rows are announced after the commit. fn must only await these ports (no network I/O):
   * other store calls wait until it ends.
   */
  transaction<T>(fn: (tx: TransactionPorts) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** 'ok' when the database is healthy */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}

/** What a store announces after each commit (the outbox); the composition root forwards it to the bus. */
export interface StoreAnnouncements {
  /** timeline rows written by a committed transaction, in commit order */
  onMessageEvents?: (events: MessageEvent[]) => void;
  /** accounts inserted, replaced or deleted by a committed transaction (their ids, whatever the tenant) */
  onAccountsChanged?: (ids: string[]) => void;
  /** tenants inserted, changed or deleted by a committed transaction */
  onTenantsChanged?: (ids: string[]) => void;
  /** a background task of the store failed (WAL checkpoints); the store carries on */
  onBackgroundError?: (err: Error) => void;
  // What other relays sharing the database committed (PostgreSQL's LISTEN/NOTIFY, once the store
  // listens); their timeline rows, accounts and tenants come through the three announcements above.
  /** mail another relay's sink captured */
  onRemoteCaptured?: (items: CapturedSummary[]) => void;
  /** captured mail another relay deleted */
  onRemoteCapturedRemoved?: (ids: number[]) => void;
  /** another relay changed the settings rows: read them again */
  onRemoteSettings?: () => void;
  /** another relay committed work for dispatch (queued, deferred) or final outcomes to report */
  onRemoteWake?: (what: { dispatch: boolean; report: boolean }) => void;
  /** notices may have been missed (the listening connection was lost, and is back): reload everything */
  onRescan?: () => void;
  /** whether anyone follows timeline rows now: other relays' rows are read only then (default: always) */
  followsRemoteEvents?: () => boolean;
}

/** What one run of `runExclusive` did: ran fn (with its value), or not, because another relay runs it. */
export type ExclusiveRun<T> = { ran: true; value: T } | { ran: false; reason: 'held elsewhere' | 'unavailable' };

/**
 * Work that one relay at a time may do among those sharing a database (a report destination,
 * retention). PostgreSQL: session advisory locks, freed when the relay's connection ends.
 */
export interface ExclusivePort {
  /** runs fn holding `name`; at once {ran: false} when another relay holds it or the database is unreachable */
  runExclusive<T>(name: string, fn: () => Promise<T>): Promise<ExclusiveRun<T>>;
}
