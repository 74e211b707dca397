import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../common/paths.js';

/** A `relay serve` in its own process, to be killed like a real one. */
export interface RelayProcess {
  child: ChildProcess;
  /** the HTTP API, e.g. http://127.0.0.1:41234 */
  url: string;
  smtpPort: number;
  /** kill -9, resolved once the process is gone */
  kill9(): Promise<void>;
  /** SIGTERM, the orderly shutdown */
  stop(): Promise<void>;
}

/** Runs `relay serve` from the sources on free ports with this data folder and token; resolves once it listens. */
export function spawnRelay(dataDir: string, token: string, args: string[] = []): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', dataDir, '--api-token', token, ...args],
    { cwd: PROJECT_ROOT, env: { ...process.env, GMP_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const api = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const smtp = /SMTP sink:\s+[\d.]+:(\d+)/.exec(out);
      if (api && smtp) resolve({ child, url: api[1], smtpPort: Number(smtp[1]), kill9: () => end('SIGKILL'), stop: () => end('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`relay exited before listening (${code}): ${out}`)));
  });
}

/** Runs `fn` on a read-only connection to the relay's database (safe beside a running relay: WAL). */
export function readDatabase<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'mail_service.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
