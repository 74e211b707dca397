import pg from 'pg';

/** What the store needs of a connection: one statement at a time, rows as plain objects. */
export interface Db {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The database could not be reached at start: the message names the URL without its password. */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly url: string,
    cause: Error,
  ) {
    super(`cannot connect to PostgreSQL at ${url}: ${cause.message}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** The URL as it may be logged: the password (and any password query parameter) replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^/@:]*):[^@/]*@/, '//$1:***@');
  }
}

const INT8 = 20;
/**
 * bigint columns (seq, epoch seconds, counts) as numbers: every value the store keeps is far below
 * 2^53, and the ports speak numbers. Everything else keeps pg's own parsers.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  url: string;
  /** connections kept open (default 4: one relay's store calls run one at a time, see lock.ts) */
  max?: number;
  /** the store's origin in notices, as `gmr.origin` of every connection (migration 005's triggers read it) */
  origin?: string;
}

/** The server-side settings of every connection of the store. */
function connectionOptions(origin: string | undefined): string {
  if (origin !== undefined && !/^[A-Za-z0-9_-]+$/.test(origin)) throw new Error(`bad store origin '${origin}'`);
  return `-c synchronous_commit=on -c jit=off${origin ? ` -c gmr.origin=${origin}` : ''}`;
}

/** A connection outside the pool, for what lives as long as a session (LISTEN, advisory locks). */
export function createSessionClient(opts: PoolOptions): pg.Client {
  return new pg.Client({
    connectionString: opts.url,
    types,
    options: connectionOptions(opts.origin),
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'genro-mail-relay',
  });
}

/**
 * A pool whose every connection commits synchronously unless a transaction says otherwise
 * (SET LOCAL synchronous_commit = off): an accepted message is on disk before the API answers,
 * whatever the server's default. JIT off: the queue's statements take milliseconds, and compiling one
 * whose estimate crosses jit_above_cost took ~100 ms. Idle connections that fail are dropped, not fatal.
 */
export function createPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 4,
    types,
    options: connectionOptions(opts.origin),
    connectionTimeoutMillis: 10_000,
    application_name: 'genro-mail-relay',
  });
  pool.on('error', () => undefined);
  return pool;
}

/** Opens one connection to prove the database answers; a clear error naming the redacted URL otherwise. */
export async function checkReachable(pool: pg.Pool, url: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    throw new DatabaseUnavailableError(redactUrl(url), err as Error);
  }
}
