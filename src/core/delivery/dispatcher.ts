import { performance } from 'node:perf_hooks';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { RelayContext } from '../context.js';
import { nowSec } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { AttemptOutcome } from '../events.js';
import type { MessagePayload, RecipientResult } from '../messages/types.js';
import type { Account } from '../store/ports.js';
import type {
  AttemptStart,
  ClaimedMessage,
  DeferOutcome,
  ErrorOutcome,
  SentOutcome,
} from '../store/ports.js';
import type { RuntimeSettingsValues } from '../settings/runtime-settings.js';
import { AttachmentError, AttachmentResolver } from './attachments.js';
import { MessageBuildError, buildMail, buildRawMail } from './message-builder.js';
import { RateLimiter, type RateWindowName, type RateWindowState } from './rate-limiter.js';
import { backoffDelay, decideRetry } from './retry-policy.js';
import { routeOrder } from './routing.js';
import { classifySmtpError, type FailureClass } from './smtp-errors.js';
import { Transports, accountConcurrency, type SentInfo, type VerifyResult } from './transports.js';

export type { RateWindowState } from './rate-limiter.js';
export type { VerifyResult } from './transports.js';

/** Delivery state of an account besides its rate windows (GET /api/accounts). */
export interface AccountDeliveryStatus {
  /** sends in progress through this account */
  in_flight: number;
  /** connection-level failures hold the account back until then (epoch seconds) */
  backoff_until: number | null;
  backoff_error: string | null;
  /** a connection pool is open for the account */
  pool_open: boolean;
}

/** Pulls due messages from the queue and delivers them (real SMTP pools, or the sandbox sink). */
export interface Dispatcher {
  /** returns what a previous run left leased to the queue, then starts claiming */
  start(): Promise<void>;
  /** stop claiming; wait for in-flight sends (releasing their leases after `graceMs`) */
  stop(graceMs?: number): Promise<void>;
  /** new work may be due */
  wake(): void;
  rateLimitState(accountId: string): Promise<RateWindowState[]>;
  accountStatus(accountId: string): AccountDeliveryStatus;
  verifyAccount(accountId: string): Promise<VerifyResult>;
  /** sandbox sink address, set once the sink listens */
  setSandboxTarget(target: { host: string; port: number } | null): void;
  inFlight(): number;
}

export interface DispatcherDeps {
  ctx: RelayContext;
  /** randomness for jitter and weighted routing (tests pin it) */
  random?: () => number;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  return new DeliveryEngine(deps.ctx, deps.random ?? Math.random);
}

/** Messages without an account go out through the account with this id. */
export const DEFAULT_ACCOUNT_ID = 'default';
/** at most this many messages are claimed for sending per round */
const SEND_BATCH = 200;
/** messages of rate-limited accounts are claimed (to be deferred or failed) this many at a time */
const BULK_BATCH = 500;
/** rounds per pump before yielding to the event loop */
const MAX_ROUNDS = 20;
const PRUNE_EVERY_SECONDS = 3600;
/** setTimeout's range; the timer is re-armed after it */
const MAX_TIMER_MS = 3_600_000;
const FLUSH_RETRY_MS = 1000;
/**
 * Completions arriving within this window share one commit while other sends are still running; a lone
 * completion is recorded at once.
 */
const FLUSH_WINDOW_MS = 8;
/**
 * Messages are claimed up to this many times the connections (global and per account): the extra ones wait
 * here, claimed and leased, and take a connection the moment a send on it ends, instead of waiting for
 * the commit that records that send and claims the next.
 */
const CLAIM_AHEAD = 2;

const CAPTURED_ID = /captured as (\d+)/i;

interface Delivery {
  row: ClaimedMessage;
  payload: MessagePayload;
  sandbox: boolean;
  /** accounts in routing order (empty for sandbox deliveries) */
  route: Account[];
  tried: Set<string>;
  /** the account the delivery goes through */
  via: Account | null;
  /** `via`'s claim and rate slot is held by this delivery */
  slotHeld: boolean;
  /** the account whose connection the running send counts against ('' for sandbox); null before the send starts */
  sendingOn: string | null;
  /** when the send started (epoch seconds); null while it waits for a connection */
  startedTs: number | null;
  claimedAt: number;
  abort: AbortController;
  /** performance.now() when the current SMTP send started */
  sendStartedMs: number | null;
  timedOut: boolean;
  shutdown: boolean;
  /** already retried once on a new connection after the server closed a used one (421) */
  reconnected: boolean;
  failover: { account: string; error: string }[];
}

interface Finished {
  d: Delivery;
  sent?: SentOutcome;
  capturedId?: number | null;
  error?: ErrorOutcome;
  defer?: DeferOutcome;
  release?: string;
  bus?: AttemptOutcome;
  final: boolean;
}

function newPlan(): RoundPlan {
  return { errors: [], defers: [], releases: [], bus: [], starts: [] };
}

interface RoundPlan {
  errors: ErrorOutcome[];
  defers: DeferOutcome[];
  releases: string[];
  bus: AttemptOutcome[];
  starts: Delivery[];
}

type AccountPick =
  | { account: Account }
  | {
      account?: undefined;
      rate: { account: Account; until: number; window: RateWindowName; limit: number } | null;
      backoffUntil: number | null;
    };

/**
 * The dispatch loop. Event-driven: a pump runs when woken (new work, run-now, activate, settings,
 * a finished send) or when the single timer fires at the next due time, lease expiry, backoff end,
 * send deadline or pool idle deadline. Each pump claims due messages in batches (priority, then
 * FIFO; per-account and global concurrency limits), decides per message (sandbox or real, route,
 * rate limit) in the claim's transaction, and starts the sends. Outcomes are recorded in one
 * transaction per event-loop turn.
 */
class DeliveryEngine implements Dispatcher {
  private running = false;
  /** stop() finished: the store may be closed, nothing is recorded any more */
  private stopped = false;
  /** every claimed message this process holds: waiting in `ready`, sending, or ended and not yet recorded */
  private readonly deliveries = new Map<string, Delivery>();
  /** claimed deliveries per account (claim slots: up to CLAIM_AHEAD x its connections) */
  private readonly perAccount = new Map<string, number>();
  /** claimed deliveries waiting for a connection, in dispatch order */
  private ready: Delivery[] = [];
  /** sends running now, in all and per account (at most the connection limits) */
  private sending = 0;
  private readonly sendingPer = new Map<string, number>();
  /** sends started since the last flush: their `attempt` rows are written by the next one */
  private startedAttempts: AttemptStart[] = [];
  private readonly backoff = new Map<string, { until: number; failures: number; error: string }>();
  private readonly limiter: RateLimiter;
  private readonly transports: Transports;
  private readonly attachments: AttachmentResolver;
  private sandboxTarget: { host: string; port: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** performance.now() at which the timer fires */
  private timerAtPerf = Infinity;
  private pumpQueued = false;
  private flushQueued = false;
  private finished: Finished[] = [];
  /** deliveries that ended and wait in `finished` (or in the flush under way) to be recorded */
  private settled = 0;
  private lastPrune = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** foreign leases (rows in `sending` that no send of ours holds) are looked for once per clock second */
  private leaseCheck: { at: number; ts: number | null } = { at: -Infinity, ts: null };
  /** each returns true once it is settled */
  private idleWaiters: (() => boolean)[] = [];
  private accountsCache: { version: number; list: Account[] } | null = null;
  /** while a flush plans the next claim: the slots its outcomes are about to free */
  private credit: { global: number; perAccount: Map<string, number> } | null = null;

  constructor(
    private readonly ctx: RelayContext,
    private readonly random: () => number,
  ) {
    this.limiter = new RateLimiter((id, since) => ctx.store.dispatch.sendLogSince(id, since));
    this.transports = new Transports(ctx.config, () => ctx.clock.nowMs());
    this.attachments = new AttachmentResolver(ctx.config.attachments);
  }

  private get store() {
    return this.ctx.store;
  }

  private get delivery() {
    return this.ctx.config.delivery;
  }

  private now(): number {
    return nowSec(this.ctx.clock);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    // whatever a previous run left leased was in flight when it ended: back to the queue
    const released = this.store.dispatch.releaseExpiredLeases(this.now(), Infinity, this.deliveries.keys());
    if (released > 0) this.ctx.logger.info({ released }, 'returned leased messages to the queue');
    this.schedulePump();
  }

  async stop(graceMs = 5000): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // claimed but not started: back to the queue with the next flush
    const waiting = this.ready;
    this.ready = [];
    for (const d of waiting) this.finish({ d, release: 'shutdown', final: false });
    if (this.deliveries.size > 0) await this.waitIdle(graceMs);
    if (this.deliveries.size > 0) {
      for (const d of this.deliveries.values()) {
        d.shutdown = true;
        d.abort.abort(new Error('relay stopping'));
      }
      await this.waitIdle(2000);
    }
    this.flush();
    const stuck = [...this.deliveries.keys()];
    if (stuck.length > 0) {
      // sends that did not end, or whose outcome could not be recorded: back to the queue
      this.store.dispatch.releaseLeases(stuck, this.now(), 'shutdown');
      this.deliveries.clear();
      this.perAccount.clear();
      this.sendingPer.clear();
      this.sending = 0;
      this.finished = [];
      this.settled = 0;
    }
    this.transports.closeAll();
    this.attachments.close();
    this.stopped = true;
  }

  wake(): void {
    if (this.running) this.schedulePump();
  }

  setSandboxTarget(target: { host: string; port: number } | null): void {
    this.sandboxTarget = target && target.port > 0 ? { host: target.host, port: target.port } : null;
    this.wake();
  }

  /** SMTP sends running now (claimed messages waiting for a connection and ended sends are not counted). */
  inFlight(): number {
    return this.sending;
  }

  async rateLimitState(accountId: string): Promise<RateWindowState[]> {
    const account = this.store.accounts.get(accountId);
    if (!account) return [];
    const now = this.now();
    return this.limiter.state(account, now, () => this.store.dispatch.rateWindowCounts(accountId, now));
  }

  accountStatus(accountId: string): AccountDeliveryStatus {
    const b = this.backoff.get(accountId);
    const active = b && b.until > this.now() ? b : null;
    return {
      in_flight: this.sendingPer.get(accountId) ?? 0,
      backoff_until: active?.until ?? null,
      backoff_error: active?.error ?? null,
      pool_open: this.transports.openPools().includes(`account:${accountId}`),
    };
  }

  async verifyAccount(accountId: string): Promise<VerifyResult> {
    const account = this.store.accounts.get(accountId);
    if (!account) return { ok: false, stage: 'connect', message: `account '${accountId}' not found` };
    return this.transports.verify(account);
  }

  private waitIdle(ms: number): Promise<void> {
    if (this.deliveries.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let settled = false;
      const t = setTimeout(() => {
        settled = true;
        resolve();
      }, ms);
      this.idleWaiters.push(() => {
        if (settled) return true;
        if (this.deliveries.size > 0) return false;
        clearTimeout(t);
        settled = true;
        resolve();
        return true;
      });
    });
  }

  // ---- the pump --------------------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpQueued = false;
    if (!this.running) return;
    try {
      this.pumpOnce();
      this.armTimer();
    } catch (err) {
      this.ctx.logger.error({ err }, 'dispatch round failed');
      this.armTimer(FLUSH_RETRY_MS);
    }
  }

  private pumpOnce(): void {
    const settings = this.ctx.settings.current();
    const now = this.now();
    this.abortOverdueSends();
    if (now - this.lastPrune >= PRUNE_EVERY_SECONDS) {
      this.store.dispatch.pruneSendLog(now - 86400);
      this.lastPrune = now;
    }
    if (settings.paused) return;

    const leaseDue = this.cachedLeaseExpiry(now);
    if (leaseDue !== null && leaseDue <= now) {
      this.leaseCheck.at = -Infinity;
      const n = this.store.dispatch.releaseExpiredLeases(now, now, this.deliveries.keys());
      if (n > 0) this.ctx.logger.warn({ released: n }, 'leases expired; messages returned to the queue');
    }
    const due = this.store.dispatch.nextDueTs();
    if (due !== null && due <= now) this.store.dispatch.promoteDue(now);

    const sandboxMode = settings.delivery_mode === 'sandbox';
    // sandbox mode before the sink listens: messages wait in the queue
    if (sandboxMode && !this.sandboxTarget) return;

    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!this.claimRound(now, settings, sandboxMode)) return;
    }
    this.schedulePump();
  }

  /** One claim + decide transaction, then the sends start. Returns whether anything was claimed. */
  private claimRound(now: number, settings: Readonly<RuntimeSettingsValues>, sandboxMode: boolean): boolean {
    const plan = newPlan();
    let claimed = 0;
    try {
      claimed = this.store.dispatch.transaction(() => this.planRound(plan, now, settings, sandboxMode));
    } catch (err) {
      this.abandon(plan);
      throw err;
    }
    this.launch(plan);
    return claimed > 0;
  }

  /**
   * Claims due messages and decides each one, inside the caller's transaction; returns how many rows
   * were claimed. Sends are only planned: `launch` starts them after the commit, `abandon` undoes
   * what the decisions took in memory if the transaction rolls back.
   */
  private planRound(plan: RoundPlan, now: number, settings: Readonly<RuntimeSettingsValues>, sandboxMode: boolean): number {
    const free = this.delivery.maxConcurrency * CLAIM_AHEAD - this.claimedCount();
    const saturated = sandboxMode ? new Set<string>() : this.saturatedAccounts(now);
    if (free <= 0 && saturated.size === 0) return 0;
    const leaseUntil = now + this.delivery.leaseSeconds;
    const rows: ClaimedMessage[] = [];
    if (saturated.size > 0) {
      rows.push(
        ...this.store.dispatch.claimDue({
          now,
          leaseUntil,
          limit: BULK_BATCH,
          capFor: (a) => (saturated.has(a ?? DEFAULT_ACCOUNT_ID) ? BULK_BATCH : 0),
        }),
      );
    }
    if (free > 0) {
      rows.push(
        ...this.store.dispatch.claimDue({
          now,
          leaseUntil,
          limit: Math.min(free, SEND_BATCH),
          capFor: sandboxMode ? undefined : (a) => this.capFor(a, now, saturated),
        }),
      );
    }
    for (const row of rows) this.decide(row, now, settings, plan);
    this.store.dispatch.defer(plan.defers, now);
    this.store.dispatch.markError(plan.errors, now);
    this.store.dispatch.releaseLeases(plan.releases, now, 'held');
    return rows.length;
  }

  /** The claim rolled back: gives back the slots its decisions took. */
  private abandon(plan: RoundPlan): void {
    for (const d of plan.starts) {
      this.releaseSlot(d, null);
      if (this.deliveries.get(d.row.id) === d) this.deliveries.delete(d.row.id);
    }
  }

  /** After the claim committed: announces its outcomes and starts the sends that have a free connection. */
  private launch(plan: RoundPlan): void {
    for (const ev of plan.bus) this.ctx.bus.emit('attempt', ev);
    if (plan.errors.length > 0) this.ctx.bus.emit('report.wake');
    if (plan.starts.length === 0) return;
    this.ready.push(...plan.starts);
    this.startReady();
  }

  /**
   * Starts waiting deliveries, in order, while the global and their account's connection limits allow.
   * Those of an account that began backing off meanwhile, or all of them once dispatch is paused, go
   * back to the queue unattempted.
   */
  private startReady(): void {
    const max = this.delivery.maxConcurrency;
    const now = this.now();
    const started = this.startedAttempts.length;
    if (this.ready.length > 0 && this.ctx.settings.current().paused) {
      const waiting = this.ready;
      this.ready = [];
      for (const d of waiting) this.finish({ d, release: 'paused', final: false });
      return;
    }
    for (let i = 0; i < this.ready.length && this.sending < max; ) {
      const d = this.ready[i];
      const key = d.sandbox || !d.via ? '' : d.via.id;
      if (key && this.inBackoff(key, now)) {
        this.ready.splice(i, 1);
        this.finish({ d, release: 'account_backoff', final: false });
        continue;
      }
      if (key && (this.sendingPer.get(key) ?? 0) >= accountConcurrency(d.via!, this.ctx.config)) {
        i++;
        continue;
      }
      this.ready.splice(i, 1);
      this.countSending(d, key);
      d.startedTs = now;
      this.startedAttempts.push({
        id: d.row.id,
        account_id: d.row.account_id,
        attempt: d.row.attempts + 1,
        detail: key ? { account: key } : { sandbox: true },
      });
      void this.run(d);
    }
    if (this.startedAttempts.length > started) this.scheduleFlush(false);
  }

  private countSending(d: Delivery, key: string): void {
    d.sendingOn = key;
    this.sending++;
    if (key) this.sendingPer.set(key, (this.sendingPer.get(key) ?? 0) + 1);
  }

  /** The send of `d` ended: its connection is free for the next waiting delivery. */
  private uncountSending(d: Delivery): void {
    const key = d.sendingOn;
    if (key === null) return;
    d.sendingOn = null;
    this.sending--;
    if (key) {
      const n = (this.sendingPer.get(key) ?? 0) - 1;
      if (n <= 0) this.sendingPer.delete(key);
      else this.sendingPer.set(key, n);
    }
  }

  /** Whether claims may happen now (running, not paused, and in sandbox mode a sink to send to). */
  private claimable(settings: Readonly<RuntimeSettingsValues>): boolean {
    return this.running && !settings.paused && (settings.delivery_mode !== 'sandbox' || this.sandboxTarget !== null);
  }

  /** Claimed deliveries (waiting or sending), less those whose outcome is being recorded right now. */
  private claimedCount(): number {
    return this.deliveries.size - (this.credit?.global ?? 0);
  }

  /** Decides what happens to a claimed message: start a send, wait (rate limit, backoff) or fail. */
  private decide(row: ClaimedMessage, now: number, settings: Readonly<RuntimeSettingsValues>, plan: RoundPlan): void {
    let payload: MessagePayload;
    try {
      payload = JSON.parse(row.payload) as MessagePayload;
    } catch {
      this.failAtClaim(plan, row, null, 'Stored payload is not valid JSON', 'build_error', now);
      return;
    }
    const released = row.source_captured_id !== null;
    if (!released && settings.delivery_mode === 'sandbox') {
      if (!this.sandboxTarget) {
        plan.releases.push(row.id);
        return;
      }
      this.startDelivery(plan, row, payload, true, [], null, now);
      return;
    }
    const primary = this.store.accounts.get(row.account_id ?? DEFAULT_ACCOUNT_ID);
    if (!primary) {
      this.failAtClaim(plan, row, null, 'Missing SMTP account configuration', 'permanent', now);
      return;
    }
    const route = routeOrder(primary, (id) => this.store.accounts.get(id), this.random);
    const pick = this.pickAccount(route, new Set(), now, row.id, row.priority);
    if (pick.account) {
      this.startDelivery(plan, row, payload, false, route, pick.account, now);
      return;
    }
    if (pick.rate) {
      const r = pick.rate;
      if (primary.limit_behavior === 'error') {
        const text = `Rate limit exceeded: ${r.limit} per ${r.window} for account '${r.account.id}'`;
        this.failAtClaim(plan, row, r.account.id, text, 'rate_limited', now);
        return;
      }
      const until = this.limiter.reserve(r.account, now, row.id, row.priority);
      plan.defers.push({
        id: row.id,
        account_id: row.account_id,
        until,
        reason: 'rate_limited',
        detail: { account: r.account.id, window: r.window, limit: r.limit },
      });
      plan.bus.push({ message_id: row.id, account_id: r.account.id, outcome: 'rate_limited', deferred: true });
      return;
    }
    const until = pick.backoffUntil ?? now + backoffDelay(this.delivery, 0, this.random);
    plan.defers.push({
      id: row.id,
      account_id: row.account_id,
      until,
      reason: 'account_backoff',
      detail: { account: primary.id, error: this.backoff.get(primary.id)?.error ?? 'account backing off' },
    });
  }

  private failAtClaim(
    plan: RoundPlan,
    row: ClaimedMessage,
    accountId: string | null,
    error: string,
    outcome: AttemptOutcome['outcome'],
    now: number,
  ): void {
    plan.errors.push({ id: row.id, account_id: row.account_id, error, detail: accountId ? { account: accountId } : {} });
    plan.bus.push({
      message_id: row.id,
      account_id: accountId ?? row.account_id,
      outcome,
      latency_seconds: Math.max(0, now - row.created_ts),
    });
  }

  private startDelivery(
    plan: RoundPlan,
    row: ClaimedMessage,
    payload: MessagePayload,
    sandbox: boolean,
    route: Account[],
    via: Account | null,
    now: number,
  ): void {
    const d: Delivery = {
      row,
      payload,
      sandbox,
      route,
      tried: new Set(),
      via,
      slotHeld: via !== null,
      sendingOn: null,
      startedTs: null,
      claimedAt: now,
      abort: new AbortController(),
      sendStartedMs: null,
      timedOut: false,
      shutdown: false,
      reconnected: false,
      failover: [],
    };
    this.deliveries.set(row.id, d);
    if (via) this.perAccount.set(via.id, (this.perAccount.get(via.id) ?? 0) + 1);
    plan.starts.push(d);
  }

  /**
   * The first account of the route that is not backing off, has a free rate slot and (preferably)
   * a free connection; takes its slot. Otherwise says when the earliest rate slot or backoff ends.
   */
  private pickAccount(
    route: Account[],
    tried: Set<string>,
    now: number,
    messageId: string,
    priority: number,
  ): AccountPick {
    let rate: { account: Account; until: number; window: RateWindowName; limit: number } | null = null;
    let backoffUntil: number | null = null;
    let busy: Account | null = null;
    for (const acc of route) {
      if (tried.has(acc.id)) continue;
      const b = this.backoff.get(acc.id);
      if (b && b.until > now) {
        backoffUntil = backoffUntil === null ? b.until : Math.min(backoffUntil, b.until);
        continue;
      }
      const check = this.limiter.check(acc, now);
      if (!check.ok) {
        if (!rate || check.until < rate.until) rate = { account: acc, until: check.until, window: check.window, limit: check.limit };
        continue;
      }
      if (this.claimedFor(acc.id) >= accountConcurrency(acc, this.ctx.config) * CLAIM_AHEAD) {
        busy ??= acc;
        continue;
      }
      this.limiter.acquire(acc, now, messageId, priority);
      return { account: acc };
    }
    if (busy) {
      this.limiter.acquire(busy, now, messageId, priority);
      return { account: busy };
    }
    return { rate, backoffUntil };
  }

  /** How many more messages of an account may be claimed for sending now. */
  private capFor(accountId: string | null, now: number, saturated: Set<string>): number {
    const id = accountId ?? DEFAULT_ACCOUNT_ID;
    if (saturated.has(id)) return 0;
    const primary = this.store.accounts.get(id);
    if (!primary) return SEND_BATCH; // fails at once: missing account configuration
    let cap = 0;
    for (const acc of this.routeGroup(primary)) {
      if (this.inBackoff(acc.id, now) || this.limiter.saturated(acc, now)) continue;
      const free = Math.max(0, accountConcurrency(acc, this.ctx.config) * CLAIM_AHEAD - this.claimedFor(acc.id));
      // without weights the first usable account takes the message; with weights, any of them
      if (primary.weight === null || primary.weight === undefined) return free;
      cap += free;
    }
    return cap;
  }

  /** Accounts none of whose route can send now because of rate limits (their messages are deferred in bulk). */
  private saturatedAccounts(now: number): Set<string> {
    const out = new Set<string>();
    for (const acc of this.accountList()) {
      let rateLimited = false;
      let usable = false;
      for (const m of this.routeGroup(acc)) {
        if (this.inBackoff(m.id, now)) continue;
        if (this.limiter.saturated(m, now)) {
          rateLimited = true;
          continue;
        }
        usable = true;
        break;
      }
      if (!usable && rateLimited) out.add(acc.id);
    }
    return out;
  }

  private routeGroup(primary: Account): Account[] {
    return routeOrder({ ...primary, weight: null }, (id) => this.store.accounts.get(id));
  }

  private accountList(): Account[] {
    const version = this.store.accounts.changeVersion;
    if (!this.accountsCache || this.accountsCache.version !== version) {
      this.accountsCache = { version, list: this.store.accounts.list() };
    }
    return this.accountsCache.list;
  }

  private inBackoff(accountId: string, now: number): boolean {
    const b = this.backoff.get(accountId);
    return !!b && b.until > now;
  }

  /** Claimed deliveries holding a slot of the account, less those whose outcome is being recorded right now. */
  private claimedFor(accountId: string): number {
    return (this.perAccount.get(accountId) ?? 0) - (this.credit?.perAccount.get(accountId) ?? 0);
  }

  // ---- one delivery ----------------------------------------------------------------------------

  private async run(d: Delivery): Promise<void> {
    let mail: SendMailOptions;
    try {
      mail = await this.build(d);
    } catch (err) {
      if (d.shutdown) return this.finish({ d, release: 'shutdown', final: false });
      const text =
        err instanceof AttachmentError || err instanceof MessageBuildError
          ? err.message
          : `Message could not be built: ${errorMessage(err)}`;
      return this.finishError(d, { kind: 'permanent', scope: 'message', text }, 'build_error');
    }
    for (;;) {
      if (d.shutdown) return this.finish({ d, release: 'shutdown', final: false });
      const target = d.sandbox ? this.sandboxTarget : null;
      if (d.sandbox && !target) return this.finish({ d, release: 'held', final: false });
      const mailer = target ? this.transports.forSandbox(target) : this.transports.forAccount(d.via!);
      // a controller that aborted an earlier attempt (timeout before a failover) cannot serve the next one
      if (d.abort.signal.aborted) d.abort = new AbortController();
      d.timedOut = false;
      d.sendStartedMs = performance.now();
      this.armDeadline(d);
      let info: SentInfo;
      try {
        info = await this.transports.send(mailer, { ...mail, signal: d.abort.signal });
      } catch (err) {
        d.sendStartedMs = null;
        if (d.shutdown) return this.finish({ d, release: 'shutdown', final: false });
        const failure: FailureClass = d.timedOut
          ? { kind: 'temporary', scope: 'message', text: `No answer from the server within ${this.delivery.sendTimeoutMs} ms` }
          : classifySmtpError(err);
        if (!d.sandbox && failure.retryNow && !d.reconnected) {
          d.reconnected = true;
          continue;
        }
        const now = this.now();
        if (!d.sandbox && failure.scope === 'connection') this.backOffAccount(d.via!.id, failure.text, now);
        if (!d.sandbox && failure.kind === 'temporary' && this.failover(d, failure, now)) continue;
        return failure.kind === 'permanent' ? this.finishError(d, failure, 'permanent') : this.finishTemporary(d, failure);
      }
      d.sendStartedMs = null;
      return this.finishSent(d, info);
    }
  }

  private async build(d: Delivery): Promise<SendMailOptions> {
    if (d.row.source_captured_id !== null) {
      const raw = this.store.captured.raw(d.row.source_captured_id);
      if (!raw) throw new MessageBuildError(`captured message ${d.row.source_captured_id} is no longer available`);
      return buildRawMail(d.payload, raw);
    }
    const attachments = await this.attachments.resolve(d.payload.attachments, d.abort.signal);
    return buildMail(d.payload, attachments);
  }

  /** Moves a delivery to the next account of its route after a temporary failure; false when none is left. */
  private failover(d: Delivery, failure: FailureClass, now: number): boolean {
    const from = d.via!;
    d.tried.add(from.id);
    const remaining = d.route.filter((a) => !d.tried.has(a.id));
    if (remaining.length === 0) return false;
    this.releaseSlot(d, null);
    const pick = this.pickAccount(d.route, d.tried, now, d.row.id, d.row.priority);
    // without a next account, `via` stays the one the failure is reported for
    if (!pick.account) return false;
    d.failover.push({ account: from.id, error: failure.text });
    // the send goes on over a connection of the next account
    this.uncountSending(d);
    this.countSending(d, pick.account.id);
    d.via = pick.account;
    d.slotHeld = true;
    this.perAccount.set(pick.account.id, (this.perAccount.get(pick.account.id) ?? 0) + 1);
    this.ctx.logger.info({ message_id: d.row.id, from: from.id, to: pick.account.id, error: failure.text }, 'failover');
    return true;
  }

  private backOffAccount(accountId: string, error: string, now: number): number {
    const b = this.backoff.get(accountId);
    if (b && b.until > now) return b.until;
    const failures = (b?.failures ?? 0) + 1;
    const until = now + backoffDelay(this.delivery, failures - 1, this.random);
    this.backoff.set(accountId, { until, failures, error });
    this.ctx.logger.warn({ account_id: accountId, until, error }, 'account backing off after a connection failure');
    return until;
  }

  private finishSent(d: Delivery, info: SentInfo): void {
    const now = this.now();
    const capturedMatch = d.sandbox ? CAPTURED_ID.exec(info.response ?? '') : null;
    const capturedId = capturedMatch ? Number(capturedMatch[1]) : null;
    const rejected = (info.rejectedErrors ?? []) as { recipient?: string; responseCode?: number; response?: string }[];
    let recipients: RecipientResult[] | null = null;
    if (info.rejected?.length) {
      recipients = [
        ...(info.accepted ?? []).map((a) => ({ address: String(a), accepted: true })),
        ...info.rejected.map((address) => {
          const e = rejected.find((r) => r.recipient === address);
          return {
            address: String(address),
            accepted: false,
            ...(e?.responseCode ? { code: e.responseCode } : {}),
            ...(e?.response ? { response: e.response } : {}),
          };
        }),
      ];
    }
    const via = d.sandbox ? null : d.via!.id;
    this.finish({
      d,
      capturedId,
      sent: {
        id: d.row.id,
        account_id: d.row.account_id,
        via_account: via,
        sandbox: d.sandbox,
        captured_id: capturedId,
        smtp_message_id: info.messageId ?? null,
        recipients,
        started_ts: d.startedTs,
        detail: {
          ...(via ? { account: via } : {}),
          response: info.response,
          ...(recipients ? { rejected: recipients.filter((r) => !r.accepted) } : {}),
          ...(d.failover.length ? { failover: d.failover } : {}),
        },
      },
      bus: {
        message_id: d.row.id,
        account_id: via ?? d.row.account_id,
        outcome: 'sent',
        latency_seconds: Math.max(0, now - d.row.created_ts),
        attempt_seconds: this.attemptSeconds(d),
        sandbox: d.sandbox,
      },
      final: true,
    });
  }

  private finishError(d: Delivery, failure: FailureClass, outcome: AttemptOutcome['outcome'], text = failure.text): void {
    const now = this.now();
    const via = d.sandbox ? null : (d.via?.id ?? null);
    this.finish({
      d,
      error: {
        id: d.row.id,
        account_id: d.row.account_id,
        error: text,
        recipients: failure.recipients ?? null,
        started_ts: d.startedTs,
        detail: {
          ...(via ? { account: via } : { sandbox: d.sandbox }),
          ...(failure.code ? { code: failure.code } : {}),
          ...(failure.recipients ? { recipients: failure.recipients } : {}),
          ...(d.failover.length ? { failover: d.failover } : {}),
        },
      },
      bus: {
        message_id: d.row.id,
        account_id: via ?? d.row.account_id,
        outcome,
        latency_seconds: Math.max(0, now - d.row.created_ts),
        attempt_seconds: this.attemptSeconds(d),
        ...(failure.code ? { code: failure.code } : {}),
        sandbox: d.sandbox,
      },
      final: true,
    });
  }

  private finishTemporary(d: Delivery, failure: FailureClass): void {
    const now = this.now();
    const decision = decideRetry(
      this.delivery,
      { retryCount: d.row.retry_count, firstAttemptTs: d.row.first_attempt_ts ?? d.claimedAt, now, text: failure.text },
      this.random,
    );
    if (decision.action === 'fail') return this.finishError(d, failure, 'temporary', decision.error);
    const via = d.sandbox ? null : (d.via?.id ?? null);
    let until = decision.until;
    let reason: DeferOutcome['reason'] = 'retry';
    if (via && failure.scope === 'connection') {
      reason = 'account_backoff';
      until = Math.max(until, this.backoff.get(via)?.until ?? until);
    }
    this.finish({
      d,
      defer: {
        id: d.row.id,
        account_id: d.row.account_id,
        until,
        reason,
        retry_count: decision.retry_count,
        started_ts: d.startedTs,
        detail: {
          error: failure.text,
          ...(failure.code ? { code: failure.code } : {}),
          ...(via ? { account: via } : { sandbox: d.sandbox }),
          ...(d.failover.length ? { failover: d.failover } : {}),
        },
      },
      bus: {
        message_id: d.row.id,
        account_id: via ?? d.row.account_id,
        outcome: 'temporary',
        attempt_seconds: this.attemptSeconds(d),
        ...(failure.code ? { code: failure.code } : {}),
        sandbox: d.sandbox,
        deferred: true,
      },
      final: false,
    });
  }

  private attemptSeconds(d: Delivery): number {
    return Math.max(0, this.now() - d.claimedAt);
  }

  // ---- recording outcomes ----------------------------------------------------------------------

  private finish(f: Finished): void {
    this.settled++;
    this.finished.push(f);
    const wasSending = f.d.sendingOn !== null;
    this.uncountSending(f.d);
    if (this.running && wasSending) this.startReady();
    this.scheduleFlush(this.deliveries.size - this.settled === 0);
  }

  /** A flush at once (nothing else is running) or within FLUSH_WINDOW_MS, sharing one commit. */
  private scheduleFlush(now: boolean): void {
    if (now) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(() => this.flush());
      }
    } else if (!this.flushQueued && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, FLUSH_WINDOW_MS);
    }
  }

  /**
   * Writes the sends started and the outcomes gathered since the last flush and claims the work that
   * takes the slots they free, in one transaction (one commit per batch of completions), then frees
   * the slots and starts the new sends.
   */
  private flush(): void {
    this.flushQueued = false;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.stopped || (this.finished.length === 0 && this.startedAttempts.length === 0)) return;
    const batch = this.finished;
    this.finished = [];
    const attempts = this.startedAttempts;
    this.startedAttempts = [];
    const now = this.now();
    const settings = this.ctx.settings.current();
    const dispatch = this.store.dispatch;
    const plan = newPlan();
    try {
      dispatch.transaction(() => {
        dispatch.beginAttempts(attempts, now);
        this.recordOutcomes(batch, now);
        if (!this.claimable(settings)) return;
        this.credit = this.creditOf(batch);
        try {
          this.planRound(plan, now, settings, settings.delivery_mode === 'sandbox');
        } finally {
          this.credit = null;
        }
      });
    } catch (err) {
      this.abandon(plan);
      this.ctx.logger.error({ err }, 'could not record delivery outcomes; retrying');
      this.finished = batch.concat(this.finished);
      this.startedAttempts = attempts.concat(this.startedAttempts);
      setTimeout(() => this.flush(), FLUSH_RETRY_MS).unref();
      return;
    }
    this.settled -= batch.length;
    for (const f of batch) {
      if (this.deliveries.get(f.d.row.id) === f.d) this.deliveries.delete(f.d.row.id);
      this.releaseSlot(f.d, f.sent && !f.d.sandbox ? now : null);
      if (f.sent && f.d.via && !f.d.sandbox) this.backoff.delete(f.d.via.id);
      if (f.bus) this.ctx.bus.emit('attempt', f.bus);
    }
    if (batch.some((f) => f.final)) this.ctx.bus.emit('report.wake');
    this.launch(plan);
    this.idleWaiters = this.idleWaiters.filter((settled) => !settled());
    this.schedulePump();
  }

  private recordOutcomes(batch: Finished[], now: number): void {
    const dispatch = this.store.dispatch;
    dispatch.markSent(batch.flatMap((f) => (f.sent ? [f.sent] : [])), now);
    for (const f of batch) {
      if (f.capturedId === null || f.capturedId === undefined) continue;
      try {
        this.store.captured.linkMessage(f.capturedId, f.d.row.id);
      } catch (err) {
        this.ctx.logger.warn({ err, captured_id: f.capturedId }, 'could not link captured message');
      }
    }
    dispatch.markError(batch.flatMap((f) => (f.error ? [f.error] : [])), now);
    dispatch.defer(batch.flatMap((f) => (f.defer ? [f.defer] : [])), now);
    for (const reason of ['shutdown', 'held', 'account_backoff', 'paused']) {
      dispatch.releaseLeases(batch.flatMap((f) => (f.release === reason ? [f.d.row.id] : [])), now, reason);
    }
  }

  /** The slots a batch of outcomes frees once recorded. */
  private creditOf(batch: Finished[]): { global: number; perAccount: Map<string, number> } {
    const perAccount = new Map<string, number>();
    let global = 0;
    for (const f of batch) {
      if (this.deliveries.get(f.d.row.id) === f.d) global++;
      if (f.d.via && f.d.slotHeld) perAccount.set(f.d.via.id, (perAccount.get(f.d.via.id) ?? 0) + 1);
    }
    return { global, perAccount };
  }

  /** Gives back a delivery's concurrency and rate slot (recording the send when `sentAt` is set). */
  private releaseSlot(d: Delivery, sentAt: number | null): void {
    if (!d.via || !d.slotHeld) return;
    const id = d.via.id;
    const n = this.claimedFor(id);
    if (n <= 1) this.perAccount.delete(id);
    else this.perAccount.set(id, n - 1);
    this.limiter.release(id, sentAt);
    d.slotHeld = false;
  }

  // ---- timer -----------------------------------------------------------------------------------

  /** Aborts sends that have run past the send timeout (a server trickling or hanging mid-DATA). */
  private abortOverdueSends(): void {
    const limit = this.delivery.sendTimeoutMs;
    const t = performance.now();
    for (const d of this.deliveries.values()) {
      if (d.sendStartedMs !== null && !d.timedOut && t - d.sendStartedMs >= limit) {
        d.timedOut = true;
        d.abort.abort(new Error('send timeout'));
      }
    }
  }

  /** Makes sure the timer fires no later than a send's deadline. */
  private armDeadline(d: Delivery): void {
    if (!this.running || d.sendStartedMs === null) return;
    if (this.timer && this.timerAtPerf <= d.sendStartedMs + this.delivery.sendTimeoutMs) return;
    this.armTimer();
  }

  /**
   * When a lease not held by this process expires. Leases of this process's own sends count too while
   * they are in the future (an early wake is harmless); once expired they are ignored, or the timer
   * would spin on a long send.
   */
  private cachedLeaseExpiry(now: number): number | null {
    if (now !== this.leaseCheck.at) {
      this.leaseCheck = { at: now, ts: this.store.dispatch.nextLeaseExpiry(now, () => this.deliveries.keys()) };
    }
    return this.leaseCheck.ts;
  }

  private nextForeignLeaseExpiry(now: number): number | null {
    const ts = this.cachedLeaseExpiry(now);
    return ts !== null && ts <= now && this.deliveries.size > 0 ? null : ts;
  }

  private armTimer(maxDelayMs?: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtPerf = Infinity;
    if (!this.running) return;
    const nowMs = this.ctx.clock.nowMs();
    const now = Math.floor(nowMs / 1000);
    let delay = maxDelayMs ?? Infinity;
    if (!this.ctx.settings.current().paused) {
      const candidates = [
        this.store.dispatch.nextDueTs(),
        this.nextForeignLeaseExpiry(now),
        ...[...this.backoff.values()].map((b) => (b.until > now ? b.until : null)),
      ];
      for (const ts of candidates) if (ts !== null) delay = Math.min(delay, ts * 1000 - nowMs);
    }
    const idle = this.transports.closeIdle();
    if (idle !== null) delay = Math.min(delay, idle - nowMs);
    const t = performance.now();
    for (const d of this.deliveries.values()) {
      if (d.sendStartedMs !== null && !d.timedOut) delay = Math.min(delay, d.sendStartedMs + this.delivery.sendTimeoutMs - t);
    }
    if (delay === Infinity) return;
    const ms = Math.min(Math.max(0, Math.ceil(delay)), MAX_TIMER_MS);
    this.timerAtPerf = t + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtPerf = Infinity;
      this.schedulePump();
    }, ms);
    this.timer.unref();
  }
}
