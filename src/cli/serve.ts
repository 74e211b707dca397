import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { loadConfig, ConfigError } from '../core/config/load.js';
import { createRelay } from '../core/relay.js';
import { createLogger } from '../core/logger.js';
import { limitHeapGrowth } from '../core/idle-memory.js';

/** The built web UI, when `npm run build` has produced it. */
function findUiDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../../out/renderer'), path.resolve(here, '../renderer')]) {
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/** `serve`: the relay headless, with the same web UI. Runs until SIGINT/SIGTERM. */
export async function serveCommand(argv: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig({ argv });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { config, settingsOverrides, configFile } = loaded;
  // what the relay creates (database, WAL, token, key) is readable by this user only
  process.umask(0o077);
  // a reader that went away (`relay serve | head -1`) must not crash the relay mid-start: it keeps serving,
  // the banner is dropped and pino stops writing there (a crash hung for ever in pino's exit flush)
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`stdout: ${err.message}\n`);
  });
  // the process's own choice (a V8 flag for the whole process), not the relay's: hosts that embed it keep theirs
  limitHeapGrowth();
  const logger = createLogger(config.logLevel);
  let relay;
  try {
    relay = await createRelay({ config, logger, settingsOverrides, uiDir: findUiDir() });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    // a PostgreSQL error names its URL (password masked) itself; the data folder is not the problem then
    const where = config.dbUrl ? '' : `cannot open the data folder ${config.dataDir}: `;
    process.stderr.write(`${where}${(err as Error).message}\n`);
    return 1;
  }
  let addr;
  try {
    addr = await relay.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`cannot start the relay: ${e.code === 'EADDRINUSE' ? `address in use (${e.message})` : e.message}\n`);
    await relay.stop().catch(() => undefined);
    return 1;
  }
  const mode = relay.ctx.settings.current().delivery_mode;
  process.stdout.write(
    [
      `Genro Mail Relay is running (${mode === 'sandbox' ? 'sandbox: mail is captured, not delivered' : 'REAL delivery'})`,
      `  API:        ${addr.url}   (X-API-Token or Authorization: Bearer)`,
      `  SMTP sink:  ${addr.smtp.host}:${addr.smtp.port}`,
      `  Web UI:     ${addr.uiUrl}`,
      `  API token:  ${relay.token}`,
      `  Data:       ${config.dataDir}${configFile ? `   config: ${configFile}` : ''}`,
      '',
    ].join('\n'),
  );

  const running = relay;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      running
        .stop()
        .catch((err) => logger.error({ err }, 'error during shutdown'))
        .finally(resolve);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return 0;
}
