/**
 * An error that maps to an HTTP answer. The API's error middleware turns it into
 * `{ "error": { "code", "message" } }` (relay routes) or the genro-mail-proxy shape (classic routes).
 */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

/**
 * A genro-mail-proxy answer whose `detail` is an object (e.g. `{"error":"all messages rejected","rejected":[…]}`):
 * classic routes render it as `{"detail": detail}`.
 */
export class ClassicDetailError extends RelayError {
  constructor(
    status: number,
    readonly detail: { error: string } & Record<string, unknown>,
  ) {
    super(status, 'rejected', detail.error, detail);
  }
}

export const notFound = (what: string, id: string): RelayError =>
  new RelayError(404, 'not_found', `${what} '${id}' not found`);

export const badRequest = (message: string, details?: unknown): RelayError =>
  new RelayError(400, 'bad_request', message, details);

export const conflict = (message: string): RelayError => new RelayError(409, 'conflict', message);

/** The data folder cannot be written (disk full, read-only): clients get a 503 with the reason. */
export const storageUnavailable = (reason: string): RelayError =>
  new RelayError(503, 'storage_unavailable', `storage unavailable: ${reason}`);

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
