import { decodeHTML } from 'entities';
import type { AddressObject, EmailAddress, HeaderValue } from 'mailparser';
import { mailparser } from './mailparser-lazy.js';
import { stripMarkup } from './strip-markup.js';

/*
 * The summary of a captured message from its parsed headers and body text, the same for the
 * capture-time scan and mailparser's full parse.
 */

/** What lists need from a message. */
export interface MessageSummary {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  date_ts: number | null;
  message_id: string | null;
  /** parts that are not inline images of the HTML body */
  attachments: number;
  preview: string;
}

/** The summary plus the text that search indexes. */
export interface MessageDigest extends MessageSummary {
  search_text: string;
}

export const LIMITS = {
  subject: 1000,
  address: 500,
  addresses: 200,
  preview: 200,
  /** characters of body text indexed for search */
  searchText: 32 * 1024,
};

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function formatAddress(a: EmailAddress): string[] {
  if (a.group) return a.group.flatMap(formatAddress);
  const address = a.address ?? '';
  const name = squash(a.name ?? '');
  const text = name && address ? `${name} <${address}>` : name || address;
  return text ? [clip(text, LIMITS.address)] : [];
}

/** `a@b.c`, `<a@b.c>`, `Name <a@b.c>`, `"Name, Inc." <a@b.c>`: plain ASCII, nothing to decode */
// matched on the trimmed value, with no two quantifiers over the same spaces (4,000 spaces took 49 s)
const SIMPLE_MAILBOX = /^(?:(?:"([^"\\\r\n=]*)"\s*|([A-Za-z0-9 ._-]*))<([A-Za-z0-9.!#$%&'*+/?^_`{|}~-]+@[A-Za-z0-9.-]+)>|([A-Za-z0-9.!#$%&'*+/?^_`{|}~-]+@[A-Za-z0-9.-]+))$/;

/** The address header as mailparser reads it; the common single plain mailbox without the full parser. */
export function parseAddresses(v: string): AddressObject {
  const m = SIMPLE_MAILBOX.exec(v.trim());
  if (!m) return mailparser().parseAddressHeader(v);
  const address = m[3] ?? m[4];
  return { value: [{ address, name: (m[1] ?? m[2] ?? '').trim() }], text: '', html: '' };
}

export function addresses(v: HeaderValue | undefined): string[] {
  if (!v) return [];
  const objs = (Array.isArray(v) ? v : [v]) as AddressObject[];
  return objs
    .flatMap((o) => (o && Array.isArray(o.value) ? o.value.flatMap(formatAddress) : []))
    .slice(0, LIMITS.addresses);
}

function dateTs(v: unknown): number | null {
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
  const ms = d?.getTime();
  return ms !== undefined && Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** Cheap HTML to text for search and preview: drops style/script/comments and tags, decodes every HTML entity. */
export function htmlToSearchText(html: string): string {
  return decodeHTML(stripMarkup(html.slice(0, LIMITS.searchText * 4))).replace(/\u00a0/g, ' ');
}

/** the characters /\s/ matches */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** clip(squash(text.slice(0, preview * 4)), preview), stopping as soon as the preview is full */
export function previewOf(text: string): string {
  const end = Math.min(text.length, LIMITS.preview * 4);
  let out = '';
  let gap = false;
  for (let i = 0; i < end && out.length < LIMITS.preview; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      gap = out.length > 0;
      continue;
    }
    if (gap) {
      out += ' ';
      gap = false;
      if (out.length >= LIMITS.preview) break;
    }
    out += text[i];
  }
  return out;
}

export function summaryOf(headers: Map<string, HeaderValue>, attachments: number, preview: string): MessageSummary {
  const subject = headers.get('subject');
  const messageId = headers.get('message-id');
  return {
    from: addresses(headers.get('from'))[0] ?? '',
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    subject: clip(squash(typeof subject === 'string' ? subject : ''), LIMITS.subject),
    date_ts: dateTs(headers.get('date')),
    message_id: typeof messageId === 'string' ? clip(messageId.trim(), LIMITS.address) : null,
    attachments,
    preview,
  };
}

export function digestOf(headers: Map<string, HeaderValue>, body: string, attachments: number): MessageDigest {
  const text = clip(body, LIMITS.searchText);
  return { ...summaryOf(headers, attachments, previewOf(text)), search_text: text };
}
