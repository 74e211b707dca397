import type { CapturedSummary, NewCaptured } from '../records.js';

/** The summary columns of a captured message as stored. */
export interface CapturedRow {
  id: number;
  received_ts: number;
  mail_from: string;
  rcpt_to: string;
  from_addr: string;
  to_addrs: string;
  cc_addrs: string;
  subject: string;
  date_ts: number | null;
  size: number;
  attachments: number;
  mailbox: string | null;
  is_read: number;
  message_id: string | null;
  relay_message_id: string | null;
  relay_tenant_id: string | null;
  preview: string;
  remote_address: string | null;
  helo: string | null;
  tls: number;
}

/** Column list for summaries (table alias `c`): never the source. */
export const CAPTURED_COLUMNS = `c.id, c.received_ts, c.mail_from, c.rcpt_to, c.from_addr, c.to_addrs, c.cc_addrs, c.subject,
  c.date_ts, c.size, c.attachments, c.mailbox, c.is_read, c.message_id, c.relay_message_id, c.relay_tenant_id, c.preview,
  c.remote_address, c.helo, c.tls`;

/** Address lists are stored newline-separated: display names may contain commas. */
export const joinList = (xs: string[]) => xs.join('\n');
export const splitList = (s: string) => (s ? s.split('\n') : []);

export function rowToCaptured(r: CapturedRow): CapturedSummary {
  return {
    id: r.id,
    received_ts: r.received_ts,
    mail_from: r.mail_from,
    rcpt_to: JSON.parse(r.rcpt_to) as string[],
    from: r.from_addr,
    to: splitList(r.to_addrs),
    cc: splitList(r.cc_addrs),
    subject: r.subject,
    date_ts: r.date_ts,
    size: r.size,
    attachments: r.attachments,
    mailbox: r.mailbox,
    read: r.is_read === 1,
    message_id: r.message_id,
    relay_message_id: r.relay_message_id,
    relay_tenant_id: r.relay_tenant_id,
    preview: r.preview,
    remote_address: r.remote_address,
    helo: r.helo,
    tls: r.tls === 1,
  };
}

/** The summary of a message just stored, from what was stored (no read back). */
export function newCapturedSummary(id: number, m: NewCaptured): CapturedSummary {
  return {
    id,
    received_ts: m.received_ts,
    mail_from: m.mail_from,
    rcpt_to: m.rcpt_to,
    from: m.from,
    to: m.to,
    cc: m.cc,
    subject: m.subject,
    date_ts: m.date_ts,
    size: m.size,
    attachments: m.attachments,
    mailbox: m.mailbox,
    read: false,
    message_id: m.message_id,
    relay_message_id: null,
    relay_tenant_id: null,
    preview: m.preview,
    remote_address: m.remote_address,
    helo: m.helo,
    tls: m.tls,
  };
}

/** The search index columns besides the body: who sent it and to whom, as one text each. */
export function ftsHeaderColumns(m: { subject: string; from: string; mail_from: string; to: string[]; cc: string[]; rcpt_to: string[] }) {
  return { subject: m.subject, sender: `${m.from} ${m.mail_from}`, recipients: [...m.to, ...m.cc, ...m.rcpt_to].join(' ') };
}

/** The body text search indexes: the message text, then its attachments' file names (as Mailpit does). */
export function indexedBody(searchText: string, filenames: readonly string[]): string {
  return filenames.length ? `${searchText}\n${filenames.join('\n')}` : searchText;
}
