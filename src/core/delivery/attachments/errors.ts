import { STATUS_CODES } from 'node:http';

/**
 * An attachment that could not be obtained. `temporary`: the source may answer later (503, other 5xx,
 * a timeout, a refused connection), so the message is retried on the relay's schedule; otherwise it fails.
 */
export class AttachmentError extends Error {
  readonly temporary: boolean;

  constructor(message: string, opts: { temporary?: boolean } = {}) {
    super(message);
    this.name = 'AttachmentError';
    this.temporary = opts.temporary ?? false;
  }
}

/** `HTTP 404 Not Found`: the status line from the status code alone, never the upstream's reason text. */
export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `HTTP ${status} ${reason}` : `HTTP ${status}`;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  UND_ERR_SOCKET: 'connection closed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
};

/**
 * A network failure in a few words, from its code only: the system's message names addresses and
 * ports, which would let a sender map what the relay can reach.
 */
export function networkCause(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : null;
  if (code === null) return 'network error';
  return NETWORK_ERRORS[code] ?? `network error (${code})`;
}

/** One short line of an application's own error text: no control characters, at most `max` characters. */
export function shortText(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
