import crypto from 'node:crypto';
import type { MailpitAddress, MailpitAttachment, MailpitHeaders, MailpitSendBody, MailpitSummary } from '../../shared/api/mailpit.js';
import type { SendBody } from '../../shared/api/send.js';
import type { CapturedSummary } from '../store/ports.js';

/** The pure mapping between captured records and Mailpit API v1's shapes (see src/shared/api/mailpit.ts). */

/** "Name <a@b.c>" or "a@b.c" (as the sink stores addresses) as Mailpit's {Name, Address}. */
export function mailpitAddress(text: string): MailpitAddress {
  const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(text);
  if (!m) return { Name: '', Address: text.trim() };
  return { Name: m[1].trim().replace(/^"(.*)"$/, '$1'), Address: m[2].trim() };
}

const bare = (text: string) => mailpitAddress(text).Address.toLowerCase();

/** Envelope recipients no To or Cc header names: Mailpit lists them as Bcc. */
export function envelopeOnly(s: Pick<CapturedSummary, 'rcpt_to' | 'to' | 'cc'>): MailpitAddress[] {
  const named = new Set([...s.to, ...s.cc].map(bare));
  const seen = new Set<string>();
  const out: MailpitAddress[] = [];
  for (const r of s.rcpt_to) {
    const key = bare(r);
    if (named.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push(mailpitAddress(r));
  }
  return out;
}

/** Mailpit shows the Message-ID without its angle brackets. */
export const bareMessageId = (id: string | null): string => (id ?? '').trim().replace(/^<(.*)>$/, '$1');

/** epoch seconds as RFC 3339 */
export const rfc3339 = (ts: number): string => new Date(ts * 1000).toISOString();

/** The AUTH user a message came with is its tag (our search's `tag:`). */
export const tagsOf = (s: Pick<CapturedSummary, 'mailbox'>): string[] => (s.mailbox ? [s.mailbox] : []);

export function mailpitSummary(s: CapturedSummary, replyTo: MailpitAddress[] = []): MailpitSummary {
  return {
    ID: String(s.id),
    MessageID: bareMessageId(s.message_id),
    Read: s.read,
    From: mailpitAddress(s.from || s.mail_from),
    To: s.to.map(mailpitAddress),
    Cc: s.cc.map(mailpitAddress),
    Bcc: envelopeOnly(s),
    ReplyTo: replyTo,
    Subject: s.subject,
    Created: rfc3339(s.received_ts),
    Username: s.mailbox ?? '',
    Tags: tagsOf(s),
    Size: s.size,
    Attachments: s.attachments,
    Snippet: s.preview,
  };
}

/** Go's textproto.CanonicalMIMEHeaderKey: `message-id` is `Message-Id`; a key with other characters stays as it is. */
export function canonicalHeaderKey(key: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) return key;
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** Headers as Go's mail.Header: canonical keys, every value in order. */
export function mailpitHeaders(headers: readonly { key: string; value: string }[]): MailpitHeaders {
  const out: MailpitHeaders = {};
  for (const h of headers) (out[canonicalHeaderKey(h.key)] ??= []).push(h.value);
  return out;
}

/** The URLs of a List-Unsubscribe header (`<mailto:…>, <https://…>`). */
export const unsubscribeLinks = (header: string): string[] => [...header.matchAll(/<([^<>]+)>/g)].map((m) => m[1].trim());

export function mailpitAttachment(
  a: { index: number; filename: string | null; content_type: string; size: number; cid: string | null },
  content: Buffer,
): MailpitAttachment {
  const sum = (alg: string) => crypto.createHash(alg).update(content).digest('hex');
  return {
    PartID: String(a.index),
    FileName: a.filename ?? '',
    ContentType: a.content_type,
    ContentID: a.cid ?? '',
    Size: a.size,
    Checksums: { MD5: sum('md5'), SHA1: sum('sha1'), SHA256: sum('sha256') },
  };
}

const mailbox = (a: { Email: string; Name?: string }) => (a.Name?.trim() ? `${a.Name.replace(/[<>"\r\n]/g, '').trim()} <${a.Email}>` : a.Email);

/** Mailpit's send request as our POST /api/send body (validated by the same schema afterwards); Tags go in X-Tags. */
export function sendBodyOf(b: MailpitSendBody): SendBody {
  const headers = { ...(b.Headers ?? {}) };
  if (b.Tags?.length) headers['X-Tags'] = b.Tags.join(', ');
  return {
    from: mailbox(b.From),
    to: (b.To ?? []).map(mailbox),
    ...(b.Cc?.length ? { cc: b.Cc.map(mailbox) } : {}),
    ...(b.Bcc?.length ? { bcc: b.Bcc } : {}),
    ...(b.ReplyTo?.length ? { reply_to: mailbox(b.ReplyTo[0]) } : {}),
    subject: b.Subject ?? '',
    body_text: b.Text ?? '',
    ...(b.HTML ? { body_html: b.HTML } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(b.Attachments?.length
      ? {
          attachments: b.Attachments.map((a) => ({
            filename: a.Filename,
            content: a.Content,
            ...(a.ContentType ? { content_type: a.ContentType } : {}),
            ...(a.ContentID ? { cid: a.ContentID } : {}),
          })),
        }
      : {}),
  };
}

/** A release recipient ("Name <a@b.c>" or "a@b.c") as a plain address, or null when it is none. */
export function releaseAddress(to: string): string | null {
  const a = mailpitAddress(to).Address;
  return /^[^\s<>@]+@[^\s<>@]+$/u.test(a) ? a : null;
}
