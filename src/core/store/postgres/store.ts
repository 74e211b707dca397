import crypto from 'node:crypto';
import { plainSecretCodec, type SecretCodec } from '../../secrets.js';
import type { ExclusivePort, Store, StoreAnnouncements, TransactionOptions, TransactionPorts } from '../ports.js';
import { PgAccounts } from './accounts.js';
import { PgCaptured } from './captured.js';
import { checkReachable, createPool, createSessionClient, redactUrl } from './connection.js';
import { PgDispatch } from './dispatch.js';
import { PgListener } from './listen.js';
import { PgMessages } from './messages.js';
import { PG_MIGRATIONS, runPgMigrations } from './migrations/index.js';
import { PgReports } from './reports.js';
import { PgSessionLocks } from './session-locks.js';
import { PgSettings } from './settings.js';
import { PgTenants } from './tenants.js';
import { PgTransactionRunner, type PgScope } from './transaction-runner.js';

export interface PgStoreOptions extends StoreAnnouncements {
  /** postgres://user:password@host:port/database */
  url: string;
  /** encodes account passwords at rest; default: plain */
  secrets?: SecretCodec;
  /** reconnect delays of the LISTEN connection */
  listenBackoff?: { baseMs: number; capMs: number };
}

/** The store over PostgreSQL: the ports, plus where it is (password left out). */
export interface PostgresStore extends Store {
  readonly backend: 'postgres';
  /** the database URL without its password */
  readonly location: string;
  /** this store in the notices it sends (a new one per opening: several relays may share a process) */
  readonly origin: string;
  /** one relay at a time among those sharing the database */
  readonly exclusive: ExclusivePort;
  /**
   * Follows what the other relays of the database commit (LISTEN): announced through the options'
   * announcements. Stops with close().
   */
  listen(): Promise<void>;
}

/** Connects (a clear error naming the URL when the database is down), migrates, and builds the ports. */
export async function openPostgresStore(opts: PgStoreOptions): Promise<PostgresStore> {
  const origin = crypto.randomBytes(8).toString('hex');
  const pool = createPool({ url: opts.url, origin });
  try {
    await checkReachable(pool, opts.url);
    await runPgMigrations(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const runner = new PgTransactionRunner(pool, opts, origin);
  const session = () => createSessionClient({ url: opts.url, origin });
  const locks = new PgSessionLocks(session);
  const listener = new PgListener({
    connect: session,
    origin,
    announce: opts,
    backoff: opts.listenBackoff,
    followEvents: opts.followsRemoteEvents,
    onError: (err) => opts.onBackgroundError?.(err),
  });
  const secrets = opts.secrets ?? plainSecretCodec;
  const portsIn = (scope: PgScope): TransactionPorts => ({
    messages: new PgMessages(runner, scope),
    dispatch: new PgDispatch(runner, scope),
    accounts: new PgAccounts(runner, scope, secrets),
    tenants: new PgTenants(runner, scope, secrets),
    settings: new PgSettings(runner, scope),
    captured: new PgCaptured(runner, scope),
    reports: new PgReports(runner, scope),
  });
  const inside = portsIn(runner.inside);
  const known = Math.max(...PG_MIGRATIONS.map((m) => m.version));
  let closed = false;
  return {
    ...portsIn(runner.outside),
    backend: 'postgres',
    location: redactUrl(opts.url),
    origin,
    exclusive: locks,
    listen: () => listener.start(),
    transaction: <T>(fn: (tx: TransactionPorts) => Promise<T>, txOpts?: TransactionOptions) => runner.transaction(() => fn(inside), txOpts),
    integrityCheck: () =>
      runner.outside(async (db) => {
        const v = (await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version')).rows[0]?.v ?? 0;
        return v === known ? 'ok' : `schema version ${v}, expected ${known}`;
      }),
    close: () =>
      runner.exclusive(async () => {
        if (closed) return;
        closed = true;
        await Promise.all([listener.stop(), locks.close()]);
        await pool.end();
      }),
  };
}
