import { createRequire } from 'node:module';
import type * as Nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { VerifyResult } from '../../shared/api/accounts.js';
import type { RelayConfig } from '../config/types.js';
import { isLoopbackHost } from '../loopback.js';
import { accountKey, type Account } from '../store/ports.js';

let nodemailer: typeof Nodemailer | null = null;

/** nodemailer loads on the first real delivery or account test (~70 ms at start otherwise; sandbox never needs it). */
function createTransport(...args: Parameters<typeof Nodemailer.createTransport>): ReturnType<typeof Nodemailer.createTransport> {
  nodemailer ??= createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;
  return nodemailer.createTransport(...args);
}

export type PoolMailer = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
export type SentInfo = SMTPPoolSentMessageInfo;

/** POST /api/accounts/{id}/verify: which stage failed (connect, tls, auth), or ok. */
export type { VerifyResult } from '../../shared/api/accounts.js';

/** Ports where the submission standard (RFC 6409) expects STARTTLS before AUTH. */
const STARTTLS_REQUIRED_PORTS = new Set([587]);

interface PoolEntry {
  key: string;
  /** STARTTLS was required only because credentials need TLS: a TLS failure says so */
  tlsForCredentials: boolean;
  mailer: PoolMailer;
  inFlight: number;
  lastUsedMs: number;
}

/**
 * Implicit TLS on 465 or when use_tls is true; STARTTLS otherwise (opportunistic, required on the
 * submission port 587, where use_tls=true also means STARTTLS as genro-mail-proxy C does, since no
 * server speaks implicit TLS there); use_tls=false on another port: STARTTLS when offered.
 */
export function tlsModeOf(account: Pick<Account, 'port' | 'use_tls'>): { secure: boolean; requireTLS: boolean } {
  if (STARTTLS_REQUIRED_PORTS.has(account.port)) return { secure: false, requireTLS: true };
  return { secure: account.use_tls ?? account.port === 465, requireTLS: false };
}

/** How credentials travel: no AUTH, over TLS, to this machine, or in clear because the account allows it. */
export type AuthSecurity = 'no-credentials' | 'tls' | 'loopback' | 'insecure-allowed' | 'tls-required';

type AuthFields = Pick<Account, 'host' | 'port' | 'use_tls' | 'user' | 'password' | 'allow_insecure_auth'>;

/**
 * Credentials only over TLS, except to this machine: an account with user and password on a remote
 * host gets STARTTLS required ('tls-required') unless it uses implicit TLS or sets allow_insecure_auth.
 */
export function authSecurityOf(account: AuthFields): AuthSecurity {
  if (!(account.user && account.password)) return 'no-credentials';
  const mode = tlsModeOf(account);
  if (mode.secure || mode.requireTLS) return 'tls';
  if (isLoopbackHost(account.host)) return 'loopback';
  return account.allow_insecure_auth ? 'insecure-allowed' : 'tls-required';
}

/** The TLS options of an account's connections: tlsModeOf, with STARTTLS required when credentials need it. */
export function transportSecurity(account: AuthFields): { secure: boolean; requireTLS: boolean } {
  const mode = tlsModeOf(account);
  return authSecurityOf(account) === 'tls-required' ? { ...mode, requireTLS: true } : mode;
}

/** Why a connection that had to carry credentials over TLS failed. */
export const TLS_FOR_CREDENTIALS =
  'credentials are sent to a remote host only over TLS: enable STARTTLS on the server, use implicit TLS (use_tls: true or port 465), or set allow_insecure_auth: true on the account';

/** How many connections (and so concurrent sends) an account gets. */
export function accountConcurrency(account: Pick<Account, 'max_connections'>, config: RelayConfig): number {
  return Math.max(1, account.max_connections ?? config.delivery.maxPerAccount);
}

export function connectionOptions(account: Account, config: RelayConfig): SMTPTransportOptions {
  const socketTimeout = account.timeout ? account.timeout * 1000 : config.delivery.sendTimeoutMs;
  return {
    host: account.host,
    port: account.port,
    ...transportSecurity(account),
    // as genro-mail-proxy: log in only when both user and password are set
    ...(account.user && account.password ? { auth: { user: account.user, pass: account.password } } : {}),
    connectionTimeout: config.delivery.connectTimeoutMs,
    greetingTimeout: config.delivery.connectTimeoutMs,
    socketTimeout,
    dnsTimeout: config.delivery.connectTimeoutMs,
    logger: false,
  };
}

/**
 * One nodemailer pool per account (and one for the sandbox sink), fed pull-style by the dispatcher:
 * nodemailer's re-queueing and rate limiting are off, the relay's queue owns retries and limits.
 * A pool is rebuilt when its account's settings change and closed after `poolIdleMs` without use.
 */
export class Transports {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly entries = new WeakMap<PoolMailer, PoolEntry>();
  /** the account object a pool was last resolved for (AccountStore hands out a new object on change) */
  private readonly resolved = new WeakMap<Account, PoolMailer>();

  constructor(
    private readonly config: RelayConfig,
    private readonly nowMs: () => number,
  ) {}

  /** The pool for an account, built on first use and rebuilt if the account changed. */
  forAccount(account: Account): PoolMailer {
    const name = `account:${accountKey(account.tenant_id, account.id)}`;
    const known = this.resolved.get(account);
    if (known && this.entries.get(known)?.mailer === known && this.pools.get(name)?.mailer === known) {
      return known;
    }
    const options: SMTPPoolOptions = {
      ...connectionOptions(account, this.config),
      pool: true,
      maxConnections: accountConcurrency(account, this.config),
      maxMessages: this.config.delivery.messagesPerConnection,
      maxRequeues: 0,
      idleTimeout: Math.max(1, account.ttl || 300) * 1000,
    };
    const mailer = this.pool(name, options, authSecurityOf(account) === 'tls-required');
    this.resolved.set(account, mailer);
    return mailer;
  }

  /** The pool to the embedded sandbox sink. */
  forSandbox(target: { host: string; port: number }): PoolMailer {
    const options: SMTPPoolOptions = {
      host: target.host,
      port: target.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: Math.max(1, Math.min(this.config.delivery.maxConcurrency, 20)),
      maxMessages: 1000,
      maxRequeues: 0,
      connectionTimeout: this.config.delivery.connectTimeoutMs,
      greetingTimeout: this.config.delivery.connectTimeoutMs,
      socketTimeout: this.config.delivery.sendTimeoutMs,
      logger: false,
    };
    return this.pool('sandbox', options);
  }

  private pool(name: string, options: SMTPPoolOptions, tlsForCredentials = false): PoolMailer {
    const key = JSON.stringify(options);
    const existing = this.pools.get(name);
    if (existing && existing.key === key) return existing.mailer;
    // settings changed: the old pool finishes what it is sending and closes
    existing?.mailer.close();
    const mailer = createTransport({ ...options, pool: true }) as PoolMailer;
    const entry: PoolEntry = { key, tlsForCredentials, mailer, inFlight: 0, lastUsedMs: this.nowMs() };
    this.pools.set(name, entry);
    this.entries.set(mailer, entry);
    return mailer;
  }

  /** Sends through a pool, keeping its use count for idle closing. */
  async send(mailer: PoolMailer, mail: SendMailOptions): Promise<SentInfo> {
    const entry = this.entries.get(mailer);
    if (entry) entry.inFlight++;
    try {
      return await mailer.sendMail(mail);
    } catch (err) {
      if (entry?.tlsForCredentials && isTlsFailure(err)) explainTls(err);
      throw err;
    } finally {
      if (entry) {
        entry.inFlight--;
        entry.lastUsedMs = this.nowMs();
      }
    }
  }

  /** Closes pools unused for `poolIdleMs`; returns when the next one would become idle (ms), or null. */
  closeIdle(): number | null {
    const now = this.nowMs();
    const idleMs = this.config.delivery.poolIdleMs;
    let next: number | null = null;
    for (const [name, e] of this.pools) {
      if (e.inFlight > 0) continue;
      const due = e.lastUsedMs + idleMs;
      if (due <= now) {
        e.mailer.close();
        this.pools.delete(name);
      } else if (next === null || due < next) {
        next = due;
      }
    }
    return next;
  }

  /** Closes the pool of an account (by key) that no longer exists or changed. */
  drop(key: string): void {
    const e = this.pools.get(`account:${key}`);
    if (e) {
      e.mailer.close();
      this.pools.delete(`account:${key}`);
    }
  }

  openPools(): string[] {
    return [...this.pools.keys()];
  }

  closeAll(): void {
    for (const e of this.pools.values()) e.mailer.close();
    this.pools.clear();
  }

  /** Connects and authenticates with the account's settings, saying which stage failed. */
  async verify(account: Account): Promise<VerifyResult> {
    const transport = createTransport(connectionOptions(account, this.config));
    try {
      await transport.verify();
      return {
        ok: true,
        stage: 'ok',
        message:
          account.user && account.password
            ? 'connected and authenticated'
            : 'connected (no credentials configured, AUTH not tried)',
      };
    } catch (err) {
      if (authSecurityOf(account) === 'tls-required' && isTlsFailure(err)) explainTls(err);
      return verifyFailure(err);
    } finally {
      transport.close();
    }
  }
}

function isTlsFailure(err: unknown): boolean {
  const e = err as { message?: string; code?: string; command?: string };
  return e?.code === 'ETLS' || e?.command === 'STARTTLS' || /STARTTLS|\bTLS\b|\bSSL\b|certificate/i.test(e?.message ?? '');
}

/** Adds why TLS was required to the error's text (its SMTP code and class stay as they are). */
function explainTls(err: unknown): void {
  if (err instanceof Error && !err.message.includes(TLS_FOR_CREDENTIALS)) err.message = `${err.message} (${TLS_FOR_CREDENTIALS})`;
}

function verifyFailure(err: unknown): VerifyResult {
  const e = err as { message?: string; code?: string; command?: string; responseCode?: number };
  const message = e?.message ?? String(err);
  const code = e?.responseCode ? { code: e.responseCode } : {};
  if (e?.code === 'EAUTH' || e?.code === 'ENOAUTH' || e?.command?.startsWith('AUTH')) {
    return { ok: false, stage: 'auth', message, ...code };
  }
  if (e?.code === 'ETLS' || e?.command === 'STARTTLS' || /certificate|\bTLS\b|\bSSL\b|wrong version number/i.test(message)) {
    return { ok: false, stage: 'tls', message, ...code };
  }
  return { ok: false, stage: 'connect', message, ...code };
}
