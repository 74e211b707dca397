import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { closedPort } from '../common/ports.js';
import { tempDir } from '../common/temp-dir.js';

const run = promisify(execFile);

/** A throwaway PostgreSQL server on 127.0.0.1, its data in a temp folder; trust authentication. */
export interface PgCluster {
  port: number;
  /** the URL of a database of this cluster (`postgres` by default) */
  url(database?: string): string;
  /** a fresh database, empty or a copy of `template` (no one may be connected to it); answers its URL */
  createDatabase(opts?: { name?: string; template?: string }): Promise<string>;
  /** drops a database made by createDatabase (each is a few MB: a whole suite would fill the temp folder) */
  dropDatabase(url: string): Promise<void>;
  /** stops the server, keeping its data and port (`mode` fast: connections are told; immediate: they are cut) */
  pause(mode?: 'fast' | 'immediate'): Promise<void>;
  /** starts the paused server again on the same port */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'gmr';

/** The folder holding initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<version>/bin (newest). */
export function findPgBin(): string | null {
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)).map((v) => path.join(debian, v, 'bin')) : [];
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...versions];
  return dirs.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

/** initdb refuses root: as root, the server runs as the `postgres` user (Debian's package creates it). */
async function asServerUser(bin: string, args: string[]): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  await run(cmd, argv, { timeout: 120_000 });
}

/**
 * Whether this machine can run the PostgreSQL tests. Without the binaries it prints one line and
 * answers false (the tests skip); GMR_REQUIRE_POSTGRES=1 (set by .ci/run) makes that an error instead.
 */
export function pgTestsEnabled(): boolean {
  if (findPgBin()) return true;
  const why = 'PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin';
  if (process.env.GMR_REQUIRE_POSTGRES === '1') throw new Error(`${why}, and GMR_REQUIRE_POSTGRES=1 forbids skipping them`);
  process.stderr.write(`[postgres tests skipped] ${why}\n`);
  return false;
}

/** Starts a cluster as the server user (see asServerUser), on a free port of 127.0.0.1. */
export async function startCluster(): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL binaries not found (check pgTestsEnabled() first)');
  const dir = tempDir('gmr-pg-');
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await closedPort();
  await asServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // fsync off: a test cluster dies with its temp folder, and the suite runs faster
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtlStart = () => asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-o', serverOpts, '-w', '-t', '60', 'start']);
  await pgCtlStart();
  const url = (database = 'postgres') => `postgres://${USER}@127.0.0.1:${port}/${database}`;
  let n = 0;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    async createDatabase(opts = {}) {
      const name = opts.name ?? `store_${++n}`;
      await admin(`CREATE DATABASE ${name}${opts.template ? ` TEMPLATE ${opts.template}` : ''}`);
      return url(name);
    },
    async dropDatabase(databaseUrl) {
      await admin(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
    },
    async pause(mode = 'fast') {
      await asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    resume: pgCtlStart,
    async stop() {
      await asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
