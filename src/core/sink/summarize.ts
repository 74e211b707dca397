import { MailParser, parseAddressHeader, type AddressObject, type EmailAddress, type HeaderValue } from 'mailparser';
import { decodeMimeWords, headerText } from './mime-words.js';

/** What lists and search need from a message, extracted once at capture time. */
export interface MessageDigest {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  date_ts: number | null;
  message_id: string | null;
  /** parts that are not inline images of the HTML body */
  attachments: number;
  preview: string;
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

/** Cheap HTML to text for search and preview: drops style/script/comments and tags, decodes the common entities. */
export function htmlToSearchText(html: string): string {
  return html
    .slice(0, LIMITS.searchText * 4)
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d+);/g, (m, n: string) => {
      const cp = Number(n);
      return cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : m;
    });
}

function bodyText(text: string | undefined, html: string | false | undefined): string {
  if (text && text.trim()) return text;
  return html ? htmlToSearchText(html) : '';
}

function digestOf(headers: Map<string, HeaderValue>, body: string, attachments: number): MessageDigest {
  const subject = headers.get('subject');
  const messageId = headers.get('message-id');
  const text = clip(body, LIMITS.searchText);
  return {
    from: addresses(headers.get('from'))[0] ?? '',
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    subject: clip(squash(typeof subject === 'string' ? subject : ''), LIMITS.subject),
    date_ts: dateTs(headers.get('date')),
    message_id: typeof messageId === 'string' ? clip(messageId.trim(), LIMITS.address) : null,
    attachments,
    preview: clip(squash(text.slice(0, LIMITS.preview * 4)), LIMITS.preview),
    search_text: text,
  };
}

/**
 * Parses a message once for its summary: headers, attachment count and a bounded text extract.
 * Attachment bodies are streamed through and dropped, HTML is not converted by mailparser
 * (a regex strip is enough for search). Malformed input never fails the capture: when mailparser
 * gives up (e.g. an oversized header), the header block is scanned directly instead.
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
    const guard = setTimeout(() => finish(scanHeaderDigest(raw)), PARSE_TIMEOUT_MS);
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
      finish(scanHeaderDigest(raw));
    });
    parser.end(raw);
  });
}

const WANTED = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id']);

/**
 * Fallback for input mailparser refuses: walks the header block line by line (no copy of the
 * message, values clipped), so a huge or broken header still yields a usable summary.
 */
export function scanHeaderDigest(raw: Buffer): MessageDigest {
  const found = new Map<string, string>();
  // linear in the header block, no copies beyond the clipped values: fine for any size SIZE allows
  const end = raw.length;
  let current: string | null = null;
  let pos = 0;
  while (pos < end) {
    let nl = raw.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && raw[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) break; // blank line: end of the header block
    const first = raw[pos];
    const slice = raw.subarray(pos, Math.min(lineEnd, pos + LIMITS.subject * 4));
    if (first === 0x20 || first === 0x09) {
      if (current && found.has(current)) {
        found.set(current, clip(found.get(current)! + headerText(slice), LIMITS.subject * 4));
      }
    } else {
      const colon = slice.indexOf(0x3a);
      current = colon > 0 ? slice.subarray(0, colon).toString('latin1').trim().toLowerCase() : null;
      if (current && WANTED.has(current) && !found.has(current)) found.set(current, headerText(slice.subarray(colon + 1)));
    }
    pos = nl + 1;
  }
  const headers = new Map<string, HeaderValue>();
  for (const [k, v] of found) {
    if (k === 'from' || k === 'to' || k === 'cc') headers.set(k, parseAddressHeader(v));
    else headers.set(k, decodeMimeWords(v.trim()));
  }
  return digestOf(headers, '', 0);
}
