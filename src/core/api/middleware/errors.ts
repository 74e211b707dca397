import type Koa from 'koa';
import type { Logger } from 'pino';
import type { ClassicErrorBody, RelayErrorBody } from '../../../shared/api/index.js';
import { ClassicDetailError, RelayError, storageUnavailable } from '../../errors.js';
import { ValidationError } from '../../services/errors.js';
import { unreachableReason } from '../../store/unreachable.js';

export { ValidationError, type FieldIssue } from '../../services/errors.js';

/** Classic (genro-mail-proxy) routes answer `{"detail": ...}`; the relay's /api routes `{"error": {code, message}}`. */
export function isClassicPath(path: string): boolean {
  return !path.startsWith('/api/') && path !== '/api' && path !== '/openapi.json';
}

const STORAGE_ERRORS: Record<string, string> = {
  SQLITE_FULL: 'the disk is full',
  SQLITE_READONLY: 'the data folder is read-only',
  SQLITE_READONLY_DIRECTORY: 'the data folder is read-only',
  SQLITE_READONLY_DBMOVED: 'the database file was moved',
  SQLITE_IOERR: 'disk I/O error',
  SQLITE_IOERR_WRITE: 'disk I/O error while writing',
  SQLITE_IOERR_FSYNC: 'disk I/O error while syncing',
  SQLITE_CANTOPEN: 'the database cannot be opened',
  SQLITE_BUSY: 'the database is busy',
};

/** Disk full, read-only folder, I/O errors: the client gets 503 with the reason, nothing is half-written. */
export function storageFailure(err: unknown): RelayError | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const reason = STORAGE_ERRORS[code] ?? (code.startsWith('SQLITE_IOERR') ? 'disk I/O error' : null);
  return reason ? storageUnavailable(reason) : null;
}

/** PostgreSQL down or cut off: 503 with the reason. A client may retry: messages are replaced by id, never doubled. */
export function databaseFailure(err: unknown): RelayError | null {
  const reason = unreachableReason(err);
  return reason ? new RelayError(503, 'database_unreachable', `database unreachable: ${reason}`) : null;
}

function statusOf(err: unknown): number {
  const e = err as { status?: unknown; statusCode?: unknown };
  const s = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  return s >= 400 && s < 600 ? s : 500;
}

/**
 * The one error middleware: every failure becomes a JSON answer; 4xx are the client's fault and logged
 * at debug, 5xx are ours and logged as errors (without leaking internals to the client).
 */
export function errorMiddleware(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new RelayError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (caught) {
      const storage = storageFailure(caught) ?? databaseFailure(caught);
      if (storage) logger.error({ err: caught, path: ctx.path }, storage.message);
      const err = storage ?? caught;
      const status = statusOf(err);
      const relayErr = err instanceof RelayError ? err : null;
      let code = relayErr?.code ?? (status === 413 ? 'payload_too_large' : status === 400 ? 'bad_request' : 'error');
      let message = err instanceof Error ? err.message : String(err);
      if (status >= 500 && !relayErr) {
        logger.error({ err, path: ctx.path, method: ctx.method }, 'request failed');
        message = 'internal error';
        code = 'internal';
      } else {
        logger.debug({ status, path: ctx.path, message }, 'request rejected');
      }
      if (status === 400 && !relayErr && /json|unexpected|token/i.test(message)) {
        code = 'invalid_json';
        message = `invalid JSON body: ${message}`;
      }
      ctx.status = status;
      if (isClassicPath(ctx.path)) {
        if (err instanceof ValidationError) {
          ctx.body = {
            detail: err.issues.map((i) => ({ loc: ['body', ...i.field.split('.').filter(Boolean)], msg: i.message, type: 'value_error' })),
          } satisfies ClassicErrorBody;
        } else if (err instanceof ClassicDetailError) {
          ctx.body = { detail: err.detail };
        } else {
          ctx.body = { detail: message } satisfies ClassicErrorBody;
        }
      } else {
        ctx.body = {
          error: {
            code,
            message,
            ...(err instanceof ValidationError ? { fields: err.issues } : {}),
          },
        } satisfies RelayErrorBody;
      }
      if (status === 401) ctx.set('WWW-Authenticate', 'Bearer');
    }
  };
}
