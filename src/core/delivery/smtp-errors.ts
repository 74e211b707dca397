import type { RecipientResult } from '../messages/types.js';

/** How a failed delivery attempt is treated. */
export interface FailureClass {
  /** temporary: retried with backoff; permanent: the message fails now */
  kind: 'temporary' | 'permanent';
  /**
   * connection: the account's server could not be reached or refused the session (connect, greeting,
   * TLS, AUTH, lost connection) — the whole account backs off; message: only this message is affected
   */
  scope: 'connection' | 'message';
  code?: number;
  /** genro-mail-proxy style text: "<response> (SMTP <code>)", or the error message */
  text: string;
  /** per-recipient outcome when the server rejected recipients */
  recipients?: RecipientResult[];
  /**
   * The server closed a session that had been carrying messages (421 to MAIL, RCPT or DATA, as servers
   * that cap messages per connection do): worth one more try at once, on a new connection.
   */
  retryNow?: boolean;
}

/** Shape of the errors nodemailer produces (lib/errors, smtp-connection). */
export interface SmtpLikeError {
  message?: string;
  code?: string;
  name?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: string[];
  rejectedErrors?: SmtpLikeError[];
  recipient?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET']);
const SESSION_COMMANDS = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH)/;

function stripCodePrefix(response: string): string {
  return response.replace(/^\d{3}[ -]/, '').trim();
}

/** "<response text> (SMTP <code>)" as genro-mail-proxy words its errors; plain message without a code. */
export function describeSmtpError(err: SmtpLikeError): string {
  if (err.responseCode && err.response) return `${stripCodePrefix(err.response)} (SMTP ${err.responseCode})`;
  if (err.responseCode) return `${err.message ?? 'SMTP error'} (SMTP ${err.responseCode})`;
  return err.message ?? String(err);
}

function recipientsFrom(err: SmtpLikeError): RecipientResult[] | undefined {
  if (!err.rejectedErrors?.length) return undefined;
  return err.rejectedErrors.map((r) => ({
    address: r.recipient ?? '',
    accepted: false,
    ...(r.responseCode ? { code: r.responseCode } : {}),
    ...(r.response ? { response: r.response } : {}),
  }));
}

/**
 * Classifies a failed attempt the way genro-mail-proxy and Postfix do: 5xx permanent, 4xx,
 * connection failures and timeouts temporary, anything unknown temporary. Failures to set up the
 * session (connect, greeting, TLS, AUTH with a 4xx, 421 "closing channel", lost connection) are
 * connection-level.
 */
export function classifySmtpError(err: unknown): FailureClass {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SmtpLikeError;
  const recipients = recipientsFrom(e);
  const text = describeSmtpError(e);

  // all recipients rejected: permanent unless every rejection was temporary
  if (e.code === 'EENVELOPE' && e.rejectedErrors?.length) {
    const codes = e.rejectedErrors.map((r) => r.responseCode ?? 0);
    const allTemporary = codes.every((c) => c >= 400 && c < 500);
    const firstCode = codes.find((c) => c > 0);
    const detail = e.rejectedErrors.map((r) => `${r.recipient ?? '?'}: ${describeSmtpError(r)}`).join('; ');
    return {
      kind: allTemporary ? 'temporary' : 'permanent',
      scope: 'message',
      ...(firstCode ? { code: firstCode } : {}),
      text: `All recipients were rejected: ${detail}`,
      recipients,
    };
  }

  const code = e.responseCode;
  const sessionStage = !!e.command && SESSION_COMMANDS.test(e.command);
  if (code && code >= 500 && code < 600) {
    return { kind: 'permanent', scope: 'message', code, text, ...(recipients ? { recipients } : {}) };
  }
  if (code && code >= 400 && code < 500) {
    const scope = code === 421 || sessionStage ? 'connection' : 'message';
    const retryNow = code === 421 && !!e.command && !sessionStage;
    return { kind: 'temporary', scope, code, text, ...(recipients ? { recipients } : {}), ...(retryNow ? { retryNow } : {}) };
  }
  if (e.code && CONNECTION_CODES.has(e.code)) return { kind: 'temporary', scope: 'connection', text };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || (e.code === 'EPROTOCOL' && sessionStage)) {
    return { kind: 'temporary', scope: 'connection', text };
  }
  if (e.name === 'AbortError' || e.code === 'EABORT' || e.code === 'ABORT_ERR') {
    return { kind: 'temporary', scope: 'message', text: `Delivery timed out: ${text}` };
  }
  // problems with the message itself that no server saw (bad address syntax, empty message, ...)
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'ESTREAM' || e.code === 'EREQUIRETLS') {
    return { kind: 'permanent', scope: 'message', text };
  }
  // genro-mail-proxy: anything unknown is temporary
  return { kind: 'temporary', scope: 'message', text };
}
