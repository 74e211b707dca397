import type { Logger } from 'pino';
import type { AccountView } from '../../shared/api/accounts.js';
import { nowSec, type Clock } from '../clock.js';
import type { RelayConfig } from '../config/types.js';
import type { RelayBus } from '../events.js';
import type { RuntimeSettingsValues } from '../settings/runtime-settings.js';
import type { Account, RelayInstance, Store } from '../store/ports.js';
import { AccountBook } from './account-book.js';
import { defaultTenantEndpoints, type AttachmentEndpoints } from './attachments.js';
import { ClaimPlanner, engineAccountState } from './claim-planner.js';
import { FailoverSlots } from './failover-slots.js';
import { DeliveryLedger, RoundQueue, keyOf, type RoundClaim, type RoundPlan } from './delivery.js';
import { OutcomeWriter } from './outcome-writer.js';
import { released } from './outcomes.js';
import { LeaseKeeper } from './lease-keeper.js';
import { Pump } from './pump.js';
import { RateLimiter, type RateWindowState } from './rate-limiter.js';
import { SendRunner } from './send-run.js';
import { TenantBook } from './tenant-book.js';
import { leaseScope, newRelayInstance } from './relay-instance.js';
import type { VerifyResult } from './transports.js';

export type { RateWindowState } from './rate-limiter.js';
export type { VerifyResult } from './transports.js';
export { DEFAULT_ACCOUNT_ID } from './delivery.js';

/** Delivery state of an account besides its rate windows: the live fields of the shared AccountView. */
export type AccountDeliveryStatus = Pick<AccountView, 'in_flight' | 'backoff_until' | 'backoff_error' | 'pool_open'>;

/** Pulls due messages from the queue and delivers them (real SMTP pools, or the sandbox sink). */
export interface Dispatcher {
  /** returns what a previous run left leased to the queue, then starts claiming */
  start(): Promise<void>;
  /** stop claiming; wait for in-flight sends (releasing their leases after `graceMs`) */
  stop(graceMs?: number): Promise<void>;
  /** new work may be due */
  wake(): void;
  rateLimitState(tenantId: string, accountId: string): Promise<RateWindowState[]>;
  accountStatus(tenantId: string, accountId: string): AccountDeliveryStatus;
  verifyAccount(tenantId: string, accountId: string): Promise<VerifyResult>;
  /** sandbox sink address, set once the sink listens */
  setSandboxTarget(target: { host: string; port: number } | null): void;
  inFlight(): number;
  /** resolves once every wake so far has been handled (tests assert what the engine did, or did not do) */
  pumpIdle(): Promise<void>;
  /** clock ms at which the engine's timer next wakes it, or null when none is armed */
  nextWakeMs(): number | null;
  /** this relay process's id, carried by its leases */
  instanceId(): string;
}

export interface DispatcherDeps {
  store: Pick<Store, 'dispatch' | 'accounts' | 'tenants' | 'captured' | 'transaction'>;
  settings: { current(): Readonly<RuntimeSettingsValues> };
  /** the dispatcher emits `attempt` and `report.wake`, and reloads its accounts on `accounts`, its tenants on `tenants` */
  bus: RelayBus;
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  /** randomness for jitter and weighted routing (tests pin it) */
  random?: () => number;
  /** each tenant's attachment endpoint; absent: the default tenant's, from the [client] settings */
  attachmentEndpoints?: AttachmentEndpoints;
  /** this relay process (its leases carry the id); absent: a new one */
  instance?: RelayInstance;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  return new DeliveryEngine(deps);
}

/**
 * The delivery engine's facade: builds its parts and runs their lifecycle. The pump (pump.ts) claims
 * due messages in rounds (claim-planner.ts) and starts the sends (send-run.ts); outcomes are recorded in
 * batches that claim the next work (outcome-writer.ts); the ledger (delivery.ts) owns every slot count.
 */
class DeliveryEngine implements Dispatcher {
  private running = false;
  private readonly limiter = new RateLimiter();
  private readonly book = new AccountBook();
  private readonly tenants = new TenantBook();
  private readonly ledger = new DeliveryLedger(this.limiter);
  private readonly rounds = new RoundQueue();
  private readonly planner: ClaimPlanner;
  private readonly runner: SendRunner;
  private readonly writer: OutcomeWriter;
  private readonly pump: Pump;
  private readonly keeper: LeaseKeeper;
  private readonly instance: RelayInstance;
  private sandboxTarget: { host: string; port: number } | null = null;
  /** each returns true once it is settled */
  private idleWaiters: (() => boolean)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    const { config, logger, clock, store, settings } = deps;
    const random = deps.random ?? Math.random;
    const { ledger, book, limiter, rounds, tenants } = this;
    const state = engineAccountState(book, limiter, ledger, config);
    const instance = (this.instance = deps.instance ?? newRelayInstance(nowSec(clock)));
    this.planner = new ClaimPlanner({ ledger, book, tenants, limiter, state, config, random, sandboxReady: () => this.sandboxTarget !== null, owner: instance.id });
    const { leaseSeconds } = config.delivery;
    this.keeper = new LeaseKeeper({ dispatch: store.dispatch, instance, leaseSeconds, clock, logger, held: () => ledger.seqs() });
    const claim: RoundClaim = {
      prepare: (tx, now) => this.planner.prepare(tx, now),
      mayClaim: (now) => this.claimable() && this.planner.mayClaim(now, settings.current().delivery_mode === 'sandbox', settings.current().sandbox_rehearse_limits),
      fill: async (plan, tx, now) => {
        if (this.claimable()) await this.planner.fill(plan, tx, now, settings.current().delivery_mode === 'sandbox', settings.current().sandbox_rehearse_limits);
      },
      undo: (plan) => this.planner.undo(plan),
      launch: (plan) => this.launch(plan),
    };
    const failover = new FailoverSlots({ store, ledger, limiter, owner: instance.id, logger });
    this.runner = new SendRunner({
      ledger,
      book,
      state,
      config,
      clock,
      logger,
      random,
      captured: store.captured,
      sandboxTarget: () => this.sandboxTarget,
      paused: () => settings.current().paused,
      attemptStarted: (a) => this.writer.attemptStarted(a),
      ended: (d, outcome) => this.writer.add(d, outcome),
      attemptDeadline: (ms) => this.pump.watchDeadline(ms),
      backoffStarted: (account, until, error) => this.shareBackoff(account, until, error),
      attachmentEndpoints: deps.attachmentEndpoints ?? defaultTenantEndpoints(settings, config.client.attachmentUrl),
      failoverTo: (d, next, now) => failover.moveTo(d, next, now),
    });
    this.writer = new OutcomeWriter({
      store,
      ledger,
      book,
      bus: deps.bus,
      clock,
      logger,
      rounds,
      claim,
      connectionFreed: () => {
        if (this.running) this.runner.startWaiting();
      },
      recovered: (account) => this.shareBackoff(account, null, ''),
      flushed: () => {
        this.idleWaiters = this.idleWaiters.filter((settled) => !settled());
        this.pump.request();
      },
    });
    this.pump = new Pump({
      store,
      settings,
      clock,
      logger,
      rounds,
      ledger,
      book,
      claim,
      leaseScope: leaseScope(instance, leaseSeconds),
      running: () => this.running,
      sandboxReady: () => this.sandboxTarget !== null,
      abortOverdueSends: () => this.runner.abortOverdue(),
      closeIdlePools: () => this.runner.closeIdle(),
      nextSendDeadline: () => this.runner.nextDeadline(),
    });
    deps.bus.on('accounts', () => book.markStale());
    deps.bus.on('tenants', () => {
      tenants.markStale();
      this.wake();
    });
  }

  private now(): number {
    return nowSec(this.deps.clock);
  }

  /** Tells the relays sharing the database that an account backs off (until) or recovered (null). */
  private shareBackoff(account: Account, until: number | null, error: string): void {
    this.deps.store.dispatch
      .shareBackoff(account.tenant_id, account.id, until, error)
      .catch((err: unknown) => this.deps.logger.warn({ err, account_id: account.id }, 'could not share the account backoff'));
  }

  /** Whether claims may happen now (running, not paused, and in sandbox mode a sink to send to). */
  private claimable(): boolean {
    const s = this.deps.settings.current();
    return this.running && !s.paused && (s.delivery_mode !== 'sandbox' || this.sandboxTarget !== null);
  }

  /** After a claim committed: announces its outcomes and starts the sends that have a free connection. */
  private launch(plan: RoundPlan): void {
    for (const ev of plan.attempts) this.deps.bus.emit('attempt', ev);
    if (plan.reportWake) this.deps.bus.emit('report.wake');
    if (plan.starts.length === 0) return;
    this.runner.enqueue(plan.starts);
    if (this.running) this.runner.startWaiting();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.writer.open();
    this.runner.open();
    const { store, logger, config } = this.deps;
    await this.keeper.start();
    logger.info({ instance: this.instance.id, lease_seconds: config.delivery.leaseSeconds }, 'dispatch starting');
    // what relays no longer alive left leased (a previous run of this one, or a relay that died): back to the queue
    const scope = leaseScope(this.instance, config.delivery.leaseSeconds);
    const released = await store.dispatch.releaseExpiredLeases(this.now(), Infinity, this.ledger.seqs(), scope);
    if (released > 0) logger.info({ released }, 'returned leased messages to the queue');
    // the account snapshot and rate windows (reloaded after every announced change)
    await this.rounds.run(() => this.planner.prepare(store, this.now()));
    this.pump.request();
  }

  async stop(graceMs = 5000): Promise<void> {
    this.running = false;
    // the pump and a round under way finish first: nothing is claimed after them
    await this.pump.stop();
    await this.rounds.run(async () => undefined);
    // claimed but not started: back to the queue with the next flush
    for (const d of this.runner.takeWaiting()) this.writer.add(d, released('shutdown'));
    if (this.ledger.size() > 0) await this.waitIdle(graceMs);
    if (this.ledger.size() > 0) {
      this.runner.abortAll();
      await this.waitIdle(2000);
    }
    await this.writer.flush();
    const stuck = this.ledger.seqs();
    if (stuck.length > 0) {
      // sends that did not end, or whose outcome could not be recorded: back to the queue
      try {
        await this.deps.store.dispatch.releaseLeases(stuck, this.now(), 'shutdown');
      } catch (err) {
        await this.keeper.stop(false);
        throw err;
      }
      this.ledger.clear();
    }
    await this.keeper.stop(true);
    this.writer.close();
    this.runner.close();
  }

  wake(): void {
    this.pump.request();
  }

  setSandboxTarget(target: { host: string; port: number } | null): void {
    this.sandboxTarget = target && target.port > 0 ? { host: target.host, port: target.port } : null;
    this.wake();
  }

  /** SMTP sends running now (claimed messages waiting for a connection and ended sends are not counted). */
  inFlight(): number {
    return this.ledger.sending();
  }

  pumpIdle(): Promise<void> {
    return this.pump.idle();
  }

  nextWakeMs(): number | null {
    return this.pump.wakeAtMs();
  }

  instanceId(): string {
    return this.instance.id;
  }

  async rateLimitState(tenantId: string, accountId: string): Promise<RateWindowState[]> {
    const { store } = this.deps;
    const account = await store.accounts.get(tenantId, accountId);
    if (!account) return [];
    const now = this.now();
    const fromLog = this.limiter.tracks(account) ? null : await store.dispatch.rateWindowCounts(tenantId, accountId, now);
    return this.limiter.state(account, now, fromLog);
  }

  accountStatus(tenantId: string, accountId: string): AccountDeliveryStatus {
    const key = keyOf({ tenant_id: tenantId, id: accountId });
    const until = this.book.backoffUntil(key, this.now());
    return {
      in_flight: this.ledger.sendingFor(key),
      backoff_until: until,
      backoff_error: until !== null ? this.book.backoffError(key) : null,
      pool_open: this.runner.poolOpen(key),
    };
  }

  async verifyAccount(tenantId: string, accountId: string): Promise<VerifyResult> {
    const account = await this.deps.store.accounts.get(tenantId, accountId);
    if (!account) return { ok: false, stage: 'connect', message: `account '${accountId}' not found` };
    return this.runner.verify(account);
  }

  private waitIdle(ms: number): Promise<void> {
    if (this.ledger.size() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let settled = false;
      const t = setTimeout(() => {
        settled = true;
        resolve();
      }, ms);
      this.idleWaiters.push(() => {
        if (settled) return true;
        if (this.ledger.size() > 0) return false;
        clearTimeout(t);
        settled = true;
        resolve();
        return true;
      });
    });
  }
}
