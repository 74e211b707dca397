import type { Bounce } from './bounce-rules.js';

/**
 * The sink tells the relay's own sandbox dispatch about hard bounces in its 250 reply, so the queue
 * reports them like a provider's bounce (an error with the DSN's status and diagnostic). Soft bounces
 * (4.x.x, "delayed") leave the message sent, as a provider still retrying would.
 */
const MARK = '; bounced ';
const MAX_DIAGNOSTIC = 200;

/** `Ok: captured as 12` + the first hard bounce, if any */
export function replyWithBounces(reply: string, bounces: readonly Bounce[]): string {
  const hard = bounces.find((b) => b.status.startsWith('5'));
  if (!hard) return reply;
  return `${reply}${MARK}${hard.status} <${hard.recipient}>: ${hard.diagnostic.slice(0, MAX_DIAGNOSTIC)}`;
}

export interface BouncedReply {
  status: string;
  recipient: string;
  diagnostic: string;
  /** the basic SMTP code of the diagnostic (550 when it has none) */
  code: number;
}

const PARSE = /; bounced ([45]\.\d{1,3}\.\d{1,3}) <([^>]*)>: (.*)$/;

/** The hard bounce a sandbox 250 reply carries, or null. */
export function bounceOfReply(response: string | undefined): BouncedReply | null {
  const m = PARSE.exec(response ?? '');
  if (!m) return null;
  const code = /^([45]\d\d)\b/.exec(m[3]);
  return { status: m[1], recipient: m[2], diagnostic: m[3], code: code ? Number(code[1]) : 550 };
}
