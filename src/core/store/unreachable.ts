/** Socket errors of a database connection that cannot be made or was cut. */
const SOCKET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** SQLSTATEs of a server that is going away or not there yet (class 08: connection exceptions). */
const SERVER_CODES: Record<string, string> = {
  '57P01': 'the server is shutting down',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'too many connections',
};

/** What node-postgres says when a connection ends under a query or cannot be had in time. */
const CLIENT_MESSAGES: [RegExp, string][] = [
  [/^Connection terminated/i, 'connection lost'],
  [/timeout exceeded when trying to connect/i, 'connection timed out'],
  [/not queryable/i, 'connection lost'],
];

/**
 * Why the database cannot be reached, when `err` says so (PostgreSQL: connection refused, lost, shut
 * down); null for any other error (a constraint, a bad statement), which stays what it is.
 */
export function unreachableReason(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES[code]) return SOCKET_CODES[code];
    if (SERVER_CODES[code]) return SERVER_CODES[code];
    if (code.startsWith('08')) return 'connection failure';
  }
  for (const [re, reason] of CLIENT_MESSAGES) if (re.test(err.message)) return reason;
  // a pool error may wrap the socket's (AggregateError of several addresses)
  if (err instanceof AggregateError) for (const e of err.errors) if (unreachableReason(e)) return unreachableReason(e);
  return null;
}
