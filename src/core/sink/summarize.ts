import { decodeHTML } from 'entities';
import { MailParser, parseAddressHeader, type AddressObject, type EmailAddress, type HeaderValue } from 'mailparser';
import { leadingText } from './body-text.js';
import { MIME_FIELDS, readHeaderBlock } from './header-block.js';
import { sketchBody } from './mime-scan.js';
import { decodeMimeWords } from './mime-words.js';

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

const PARSE_TIMEOUT_MS = 20_000;

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
const SIMPLE_MAILBOX = /^\s*(?:(?:"([^"\\\r\n=]*)"|([A-Za-z0-9 ._-]*?))\s*<([A-Za-z0-9.!#$%&'*+/?^_`{|}~-]+@[A-Za-z0-9.-]+)>|([A-Za-z0-9.!#$%&'*+/?^_`{|}~-]+@[A-Za-z0-9.-]+))\s*$/;

/** The address header as mailparser reads it; the common single plain mailbox without the full parser. */
function parseAddresses(v: string): AddressObject {
  const m = SIMPLE_MAILBOX.exec(v);
  if (!m) return parseAddressHeader(v);
  const address = m[3] ?? m[4];
  return { value: [{ address, name: (m[1] ?? m[2] ?? '').trim() }], text: '', html: '' };
}

function addresses(v: HeaderValue | undefined): string[] {
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
  const stripped = html
    .slice(0, LIMITS.searchText * 4)
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    // as in a browser, an unclosed style or script runs to the end (here: of a clipped document)
    .replace(/<(style|script)\b[\s\S]*$/i, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  return decodeHTML(stripped).replace(/\u00a0/g, ' ');
}

function bodyText(text: string | undefined, html: string | false | undefined): string {
  if (text && text.trim()) return text;
  return html ? htmlToSearchText(html) : '';
}

/** the characters /\s/ matches */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** clip(squash(text.slice(0, preview * 4)), preview), stopping as soon as the preview is full */
function previewOf(text: string): string {
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

function summaryOf(headers: Map<string, HeaderValue>, attachments: number, preview: string): MessageSummary {
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

function digestOf(headers: Map<string, HeaderValue>, body: string, attachments: number): MessageDigest {
  const text = clip(body, LIMITS.searchText);
  return { ...summaryOf(headers, attachments, previewOf(text)), search_text: text };
}

/**
 * Parses a message once for its summary: headers, attachment count and a bounded text extract.
 * Attachment bodies are streamed through and dropped, HTML is not converted by mailparser
 * (a regex strip is enough for search). Malformed input never fails: when mailparser gives up
 * (e.g. an oversized header), the message is read with the capture-time scan instead.
 */
export function summarizeMessage(raw: Buffer): Promise<MessageDigest> {
  return new Promise((resolve) => {
    const parser = new MailParser({
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      checksumAlgo: false,
    });
    let headers = new Map<string, HeaderValue>();
    let body = '';
    let attachments = 0;
    let settled = false;
    // mailparser always ends or fails on its input; should it ever do neither, the capture still goes on
    const guard = setTimeout(() => finish(quickDigest(raw)), PARSE_TIMEOUT_MS);
    guard.unref();
    const finish = (digest: MessageDigest) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve(digest);
    };
    parser.on('headers', (h: Map<string, HeaderValue>) => {
      headers = h;
    });
    parser.on('data', (data) => {
      if (data.type === 'attachment') {
        if (!(data.related && data.contentDisposition !== 'attachment')) attachments++;
        data.content.on('end', () => data.release?.());
        data.content.resume();
      } else {
        body = bodyText(data.text, data.html);
      }
    });
    parser.on('end', () => finish(digestOf(headers, body, attachments)));
    parser.on('error', () => {
      parser.removeAllListeners('data');
      finish(quickDigest(raw));
    });
    parser.end(raw);
  });
}

const SUMMARY_FIELDS: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id']);
const CAPTURE_FIELDS: ReadonlySet<string> = new Set([...SUMMARY_FIELDS, ...MIME_FIELDS]);
const MAX_FIELD = LIMITS.subject * 4;

function summaryHeaders(fields: Map<string, string>): Map<string, HeaderValue> {
  const headers = new Map<string, HeaderValue>();
  for (const k of SUMMARY_FIELDS) {
    const v = fields.get(k);
    if (v === undefined) continue;
    if (k === 'from' || k === 'to' || k === 'cc') headers.set(k, parseAddresses(v));
    else headers.set(k, decodeMimeWords(v.trim()));
  }
  return headers;
}

/**
 * Fallback for input mailparser refuses: walks the header block line by line (no copy of the
 * message, values clipped), so a huge or broken header still yields a usable summary.
 */
export function scanHeaderDigest(raw: Buffer): MessageDigest {
  return digestOf(summaryHeaders(readHeaderBlock(raw, 0, raw.length, SUMMARY_FIELDS, MAX_FIELD).fields), '', 0);
}

/**
 * The summary at capture time, without a MIME parse: the header block, the MIME structure (for
 * the attachment count) and the start of the first text part (for the preview). This agrees with
 * summarizeMessage() on ordinary mail; the background indexer records the full parse's answer
 * for every message shortly afterwards, together with the text for search.
 */
export function quickSummary(raw: Buffer): MessageSummary {
  const top = readHeaderBlock(raw, 0, raw.length, CAPTURE_FIELDS, MAX_FIELD);
  const sketch = sketchBody(raw, top);
  const limits = { enough: (t: string) => previewOf(t).length >= LIMITS.preview || t.length >= LIMITS.preview * 4, textBytes: 4 * 1024, htmlBytes: 32 * 1024 };
  const text = leadingText(raw, sketch, limits, htmlToSearchText);
  return summaryOf(summaryHeaders(top.fields), sketch.attachments, previewOf(text));
}

/** quickSummary() plus a text extract for search, for messages mailparser cannot read. */
function quickDigest(raw: Buffer): MessageDigest {
  const top = readHeaderBlock(raw, 0, raw.length, CAPTURE_FIELDS, MAX_FIELD);
  const sketch = sketchBody(raw, top);
  const bytes = LIMITS.searchText * 4;
  return digestOf(summaryHeaders(top.fields), leadingText(raw, sketch, { enough: (t) => t.length >= LIMITS.searchText, textBytes: bytes, htmlBytes: bytes }, htmlToSearchText), sketch.attachments);
}
