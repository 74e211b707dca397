import { randomUUID } from 'node:crypto';
import type { Bounce } from './bounce-rules.js';

export interface DsnInput {
  /** the envelope sender the notification goes to */
  to: string;
  bounces: readonly Bounce[];
  /** the original message (its header block is returned as text/rfc822-headers) */
  original: Buffer;
  arrival: Date;
  /** the reporting MTA's name */
  mta: string;
}

const MAX_HEADERS = 64 * 1024;

/** The original's header block, up to the blank line (clipped). */
function headerBlock(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const cut = end >= 0 ? end + 2 : lf >= 0 ? lf + 1 : raw.length;
  return raw.subarray(0, Math.min(cut, MAX_HEADERS)).toString('latin1').replace(/\r?\n/g, '\r\n');
}

const hard = (b: Bounce) => b.status.startsWith('5');

/**
 * An RFC 3464 delivery status notification: multipart/report; report-type=delivery-status with a
 * human-readable part, the message/delivery-status fields per recipient and the original's headers.
 */
export function buildDsn(d: DsnInput): Buffer {
  const boundary = `dsn-${randomUUID()}`;
  const date = d.arrival.toUTCString().replace('GMT', '+0000');
  const failed = d.bounces.every(hard);
  const subject = failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const human = d.bounces.map((b) => `<${b.recipient}>: ${b.diagnostic}`).join('\r\n');
  const perRecipient = d.bounces
    .map((b) =>
      [
        `Final-Recipient: rfc822; ${b.recipient}`,
        `Action: ${hard(b) ? 'failed' : 'delayed'}`,
        `Status: ${b.status}`,
        `Remote-MTA: dns; ${d.mta}`,
        `Diagnostic-Code: smtp; ${b.diagnostic}`,
      ].join('\r\n'),
    )
    .join('\r\n\r\n');
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${d.mta}>`,
    `To: <${d.to}>`,
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: <${randomUUID()}@${d.mta}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    failed ? 'Your message could not be delivered to these recipients:' : 'Your message has not been delivered yet to these recipients:',
    '',
    human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${d.mta}`,
    `Arrival-Date: ${date}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(d.original),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
