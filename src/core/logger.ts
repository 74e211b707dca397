import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.GMP_LOG_LEVEL?.toLowerCase() ?? 'info'): Logger {
  return pino({ level, base: { app: 'genro-mail-relay' } });
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
