import { randomUUID } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { MessagePayload } from '../messages/types.js';
import type { ResolvedAttachment } from './attachments.js';
import { htmlToText } from './html-to-text.js';

/** A message that cannot be turned into a valid email: it fails with this reason. */
export class MessageBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageBuildError';
  }
}

// a type alias (not an interface) so that it fits nodemailer's indexed envelope type
export type SmtpEnvelope = {
  from: string;
  to: string[];
};

/** Headers that are given as message fields or belong to the MIME structure, never as custom headers. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'message-id',
  'date',
  'sender',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);
const HEADER_NAME = /^[!-9;-~]+$/;
const CRLF = /[\r\n]/;

function refuseLineBreaks(field: string, value: string): void {
  if (CRLF.test(value)) throw new MessageBuildError(`${field} contains a line break`);
}

/** Bare addresses of an address list ("Name <a@b>", "a@b, c@d", groups flattened). */
export function bareAddresses(field: string, values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    refuseLineBreaks(field, v);
    for (const a of addressparser(v, { flatten: true })) {
      if (a.address) out.push(a.address);
    }
  }
  return out;
}

function single(field: string, value: string): string {
  const list = bareAddresses(field, [value]);
  if (list.length !== 1) throw new MessageBuildError(`${field} must be one address, got '${value}'`);
  return list[0];
}

function uniqueCaseInsensitive(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const k = a.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The SMTP envelope: return_path (else from) as sender; To, Cc and Bcc as recipients. Bcc appears
 * only here, never in a header.
 */
export function envelopeOf(p: Pick<MessagePayload, 'from' | 'to' | 'cc' | 'bcc' | 'return_path'>): SmtpEnvelope {
  const from = single(p.return_path ? 'return_path' : 'from', p.return_path ?? p.from);
  const to = uniqueCaseInsensitive([
    ...bareAddresses('to', p.to ?? []),
    ...bareAddresses('cc', p.cc ?? []),
    ...bareAddresses('bcc', p.bcc ?? []),
  ]);
  if (to.length === 0) throw new MessageBuildError('the message has no recipient');
  return { from, to };
}

function messageIdOf(value: string): string {
  refuseLineBreaks('message_id', value);
  const trimmed = value.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

/**
 * A Message-ID as nodemailer makes one (random part @ the sender's domain), but from Node's buffered
 * UUIDs: nodemailer's own costs four synchronous randomBytes calls per message.
 */
function generatedMessageId(envelopeFrom: string): string {
  return `<${randomUUID()}@${envelopeFrom.split('@').pop() || 'localhost'}>`;
}

function customHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new MessageBuildError(`header name '${name}' is not valid`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new MessageBuildError(`header '${name}' cannot be set as a custom header`);
    }
    const v = String(value);
    refuseLineBreaks(`header '${name}'`, v);
    out[name] = v;
  }
  return out;
}

/**
 * Turns a payload into nodemailer mail options: From/To/Cc/Reply-To/Subject/Message-ID and custom
 * headers (UTF-8 names and subjects are encoded by nodemailer), an HTML body with its text
 * alternative, attachments already fetched, and an explicit envelope so Bcc stays out of the headers.
 */
export function buildMail(p: MessagePayload, attachments: ResolvedAttachment[]): SendMailOptions {
  refuseLineBreaks('from', p.from);
  refuseLineBreaks('subject', p.subject ?? '');
  for (const [field, list] of [['to', p.to], ['cc', p.cc], ['bcc', p.bcc]] as const) {
    for (const v of list ?? []) refuseLineBreaks(field, v);
  }
  if (p.reply_to) refuseLineBreaks('reply_to', p.reply_to);
  const envelope = envelopeOf(p);
  const isHtml = (p.content_type ?? 'plain').toLowerCase().includes('html');
  const mail: SendMailOptions = {
    from: p.from,
    to: p.to,
    ...(p.cc?.length ? { cc: p.cc } : {}),
    ...(p.reply_to ? { replyTo: p.reply_to } : {}),
    subject: p.subject ?? '',
    messageId: p.message_id ? messageIdOf(p.message_id) : generatedMessageId(envelope.from),
    // the random part of multipart boundaries (nodemailer would draw it with randomBytes per message)
    baseBoundary: randomUUID().replaceAll('-', ''),
    envelope,
    ...(isHtml ? { html: p.body, text: p.body_text ?? htmlToText(p.body) } : { text: p.body }),
    attachments: attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      ...(a.contentType ? { contentType: a.contentType } : {}),
      ...(a.cid ? { cid: a.cid } : {}),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const headers = customHeaders(p.headers);
  if (headers && Object.keys(headers).length) mail.headers = headers;
  return mail;
}

/** A captured message released to real delivery: its exact bytes, with the envelope from the payload. */
export function buildRawMail(p: MessagePayload, raw: Buffer): SendMailOptions {
  return { raw, envelope: envelopeOf(p), disableFileAccess: true, disableUrlAccess: true };
}
