/**
 * GenropyApp: one Genropy application with its mailproxy service, as a relay test drives it. The
 * facade wires the tables, the storage, the client and the mp_endpoint page, and offers the user's
 * actions (Register, save an account, send mail, dashboard) plus what a test needs to watch.
 */
import { UserTable } from './auth.js';
import { CLIENT_USER, GenropyClient, type Json, type RegisterResult, type UnregisterResult } from './client.js';
import { accountPayload, type GenropyAccount } from './model.js';
import { mpEndpointMethods, noFaults, type Faults } from './mp-endpoint.js';
import { ExchangeLog, newCounters, waitFor, type Counters } from './observe.js';
import { Outbox, type MailSpec } from './outbox.js';
import { EndpointServer } from './server.js';
import { Storage } from './storage.js';

/** Same shape as the relay's Clock, so one ManualClock can drive both. */
export interface AppClock {
  nowMs(): number;
}

export interface GenropyAppOptions {
  /** the service's "Proxy url": the relay's base URL */
  proxyUrl: string | null;
  /** instanceconfig's api_keys.private.genro_mail_proxy?token */
  adminToken?: string | null;
  /** the service's "Identifier"; Genropy's placeholder is the database name */
  tenantId?: string;
  /** the service's "Batch size" (null = 1000) */
  batchSize?: number | null;
  /** the page's path; Genropy's is /email/mailproxy/mp_endpoint */
  basePath?: string;
  clock?: AppClock;
  /** multiplies the client's timeouts (tests of the timeouts themselves) */
  timeScale?: number;
}

export const DEFAULT_BASE_PATH = '/email/mailproxy/mp_endpoint';

export class GenropyApp {
  readonly outbox = new Outbox();
  readonly storage = new Storage();
  readonly users = new UserTable();
  readonly log = new ExchangeLog();
  readonly counters: Counters = newCounters();
  readonly faults: Faults = noFaults();
  /** errors Genropy only logs (account sync failures) */
  readonly loggedErrors: string[] = [];
  readonly client: GenropyClient;
  readonly clock: AppClock;
  private readonly server: EndpointServer;

  private constructor(o: GenropyAppOptions) {
    this.clock = o.clock ?? { nowMs: () => Date.now() };
    this.client = new GenropyClient({
      proxyUrl: o.proxyUrl,
      adminToken: o.adminToken ?? null,
      tenantId: o.tenantId ?? 'genropy',
      clientBaseUrl: '',
      batchSize: o.batchSize ?? null,
      timeScale: o.timeScale,
      log: this.log,
      onPassword: (user, password) => this.users.set(user, password),
    });
    const methods = mpEndpointMethods({
      outbox: this.outbox,
      storage: this.storage,
      client: this.client,
      counters: this.counters,
      faults: this.faults,
      nowSec: () => this.nowSec(),
    });
    this.server = new EndpointServer(o.basePath ?? DEFAULT_BASE_PATH, methods, this.users, this.log);
  }

  /** Starts the application's HTTP server on 127.0.0.1 (free port); the service is not registered yet. */
  static async start(o: GenropyAppOptions): Promise<GenropyApp> {
    const app = new GenropyApp(o);
    await app.server.start();
    app.client.clientBaseUrl = app.server.baseUrl;
    return app;
  }

  get tenantId(): string {
    return this.client.tenantId;
  }

  /** client_base_url as registered */
  get baseUrl(): string {
    return this.server.baseUrl;
  }

  get syncUrl(): string {
    return `${this.baseUrl}/proxy_sync`;
  }

  get attachmentsUrl(): string {
    return `${this.baseUrl}/proxy_get_attachments`;
  }

  /** The Basic header the relay must send (the password of the last Register). */
  basicAuth(): string {
    const password = this.users.get(CLIENT_USER)?.password ?? '';
    return `Basic ${Buffer.from(`${CLIENT_USER}:${password}`).toString('base64')}`;
  }

  nowSec(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }

  /** db.workdate as str(date): the message_date header of new mail. */
  today(): string {
    return new Date(this.clock.nowMs()).toISOString().slice(0, 10);
  }

  /** The Register button: new password, POST /tenant, then every account with save_output_message. */
  register(): Promise<RegisterResult> {
    return this.client.register(() =>
      [...this.outbox.accounts.values()].filter((a) => a.save_output_message).map((a) => accountPayload(a, this.tenantId)),
    );
  }

  unregister(): Promise<UnregisterResult> {
    return this.client.unregister();
  }

  /** Saves an account; while the service is active, POST /account or DELETE /account/{id} (errors only logged). */
  async saveAccount(a: GenropyAccount): Promise<void> {
    this.outbox.saveAccount(a);
    if (!this.client.active) return;
    const saved = this.outbox.accounts.get(a.id) ?? a;
    try {
      if (saved.save_output_message && saved.smtp_host) await this.client.addAccount(accountPayload(saved, this.tenantId));
      else await this.client.deleteAccount(saved.id);
    } catch (err) {
      this.loggedErrors.push(`Failed to sync account to mailproxy: ${String(err instanceof Error ? err.message : err)}`);
    }
  }

  async deleteAccount(id: string): Promise<void> {
    if (!this.outbox.deleteAccount(id) || !this.client.active) return;
    await this.client.deleteAccount(id).catch((err: unknown) => {
      this.loggedErrors.push(`Failed to remove account from mailproxy: ${String(err instanceof Error ? err.message : err)}`);
    });
  }

  /** newMessage + commit: the row is queued, then run-now fires (its error reaches the caller). */
  async queueMail(spec: MailSpec): Promise<string> {
    const [id] = await this.queueMails([spec]);
    return id;
  }

  /** Several messages in one commit: one run-now. */
  async queueMails(specs: MailSpec[]): Promise<string[]> {
    const ids = specs.map((s) => this.outbox.newMessage(s, this.today()).id);
    if (ids.length && this.client.active) {
      this.counters.runNowCalls++;
      await this.client.runNow();
    }
    return ids;
  }

  /** The dashboard's refresh: GET /accounts and GET /messages (errors are what the dashboard shows). */
  async dashboard(): Promise<{ accounts: Json; messages: Json }> {
    const accounts = (await this.client.listAccounts()) as Json;
    const messages = (await this.client.listMessages()) as Json;
    return { accounts, messages };
  }

  /** The dashboard's "Run now": run-now, then a refresh. */
  async runNow(): Promise<{ accounts: Json; messages: Json }> {
    this.counters.runNowCalls++;
    await this.client.runNow();
    return this.dashboard();
  }

  /** The dashboard's "Cleanup sent" (dialog pre-filled with 1). */
  cleanup(olderThanSeconds: number | null = 1): Promise<unknown> {
    return this.client.cleanupMessages(olderThanSeconds);
  }

  health(): Promise<boolean> {
    return this.client.health();
  }

  waitFor<T>(predicate: () => T | Promise<T>, opts?: { timeoutMs?: number; what?: string }): Promise<NonNullable<T>> {
    return waitFor(predicate, opts);
  }

  /** Ends hanging answers (attachment or sync faults) by dropping their connections. */
  releaseHanging(): void {
    this.server.releaseHanging();
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
