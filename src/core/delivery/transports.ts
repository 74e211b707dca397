import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { VerifyResult } from '../../shared/api/accounts.js';
import type { RelayConfig } from '../config/types.js';
import { accountKey, type Account } from '../store/ports.js';

export type PoolMailer = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
export type SentInfo = SMTPPoolSentMessageInfo;

/** POST /api/accounts/{id}/verify: which stage failed (connect, tls, auth), or ok. */
export type { VerifyResult } from '../../shared/api/accounts.js';

/** Ports where the submission standard (RFC 6409) expects STARTTLS before AUTH. */
const STARTTLS_REQUIRED_PORTS = new Set([587]);

interface PoolEntry {
  key: string;
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

/** How many connections (and so concurrent sends) an account gets. */
export function accountConcurrency(account: Pick<Account, 'max_connections'>, config: RelayConfig): number {
  return Math.max(1, account.max_connections ?? config.delivery.maxPerAccount);
}

function connectionOptions(account: Account, config: RelayConfig): SMTPTransportOptions {
  const socketTimeout = account.timeout ? account.timeout * 1000 : config.delivery.sendTimeoutMs;
  return {
    host: account.host,
    port: account.port,
    ...tlsModeOf(account),
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
    const mailer = this.pool(name, options);
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

  private pool(name: string, options: SMTPPoolOptions): PoolMailer {
    const key = JSON.stringify(options);
    const existing = this.pools.get(name);
    if (existing && existing.key === key) return existing.mailer;
    // settings changed: the old pool finishes what it is sending and closes
    existing?.mailer.close();
    const mailer = createTransport({ ...options, pool: true }) as PoolMailer;
    const entry: PoolEntry = { key, mailer, inFlight: 0, lastUsedMs: this.nowMs() };
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
      return verifyFailure(err);
    } finally {
      transport.close();
    }
  }
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
