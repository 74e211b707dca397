import { ConfigError } from '../core/config/load.js';
import { errorMessage } from '../core/errors.js';
import { isAbiMismatch } from './native-binding.js';

/** What the start-up error dialog says: the cause, and the fix when there is a known one. */
export function startFailureDetail(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (isAbiMismatch(err)) {
    return (
      `better-sqlite3 is not built for this Electron (${errorMessage(err)}).\n\n` +
      'Run `npm run native:electron` (needs internet access) and start again.'
    );
  }
  if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    return (
      `${errorMessage(err)}\n\nAnother relay (or another program) is using the port. ` +
      'Stop it, or choose other ports with --port / --smtp-port or in config.ini.'
    );
  }
  return errorMessage(err);
}
