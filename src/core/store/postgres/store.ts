import { plainSecretCodec, type SecretCodec } from '../../secrets.js';
import type { Store, StoreAnnouncements, TransactionOptions, TransactionPorts } from '../ports.js';
import { PgAccounts } from './accounts.js';
import { PgCaptured } from './captured.js';
import { checkReachable, createPool, redactUrl } from './connection.js';
import { PgDispatch } from './dispatch.js';
import { PgMessages } from './messages.js';
import { PG_MIGRATIONS, runPgMigrations } from './migrations/index.js';
import { PgReports } from './reports.js';
import { PgSettings } from './settings.js';
import { PgTenants } from './tenants.js';
import { PgTransactionRunner, type PgScope } from './transaction-runner.js';

export interface PgStoreOptions extends StoreAnnouncements {
  /** postgres://user:password@host:port/database */
  url: string;
  /** encodes account passwords at rest; default: plain */
  secrets?: SecretCodec;
}

/** The store over PostgreSQL: the ports, plus where it is (password left out). */
export interface PostgresStore extends Store {
  readonly backend: 'postgres';
  /** the database URL without its password */
  readonly location: string;
}

/** Connects (a clear error naming the URL when the database is down), migrates, and builds the ports. */
export async function openPostgresStore(opts: PgStoreOptions): Promise<PostgresStore> {
  const pool = createPool({ url: opts.url });
  try {
    await checkReachable(pool, opts.url);
    await runPgMigrations(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const runner = new PgTransactionRunner(pool, opts);
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
        await pool.end();
      }),
  };
}
