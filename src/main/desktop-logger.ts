import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

const MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * The desktop app logs to a file in the data folder (a packaged app has no terminal) and to
 * stdout. The file is rotated once at start when it has grown past 10 MB.
 */
export function createDesktopLogger(level: string, logFile: string): Logger {
  if (level === 'silent') return pino({ level });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  try {
    if (fs.statSync(logFile).size > MAX_LOG_BYTES) fs.renameSync(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
  const streams = pino.multistream([
    { level: level as pino.Level, stream: process.stdout },
    { level: level as pino.Level, stream: pino.destination({ dest: logFile, append: true, sync: false }) },
  ]);
  return pino({ level, base: { app: 'genro-mail-relay', shell: 'desktop' } }, streams);
}
