import { decode as decodeBytes } from 'libmime/lib/charset.js';
import { headerText } from './mime-words.js';

/**
 * A fast, approximate walk over a message's MIME structure for the capture hot path: only header
 * blocks are read and multipart bodies are split with native buffer searches, nothing is decoded
 * but the start of the first text part. It mirrors mailparser's rules for what counts as an
 * attachment in the common cases; the background indexer parses every message in full afterwards
 * and records mailparser's own answer.
 */

/** Unfolded values of the wanted header fields of one MIME entity, and where its body starts. */
export interface HeaderBlock {
  fields: Map<string, string>;
  bodyStart: number;
}

/**
 * Reads the header block that starts at `start`: the first occurrence of each wanted field
 * (lower-case names), unfolded, each line and value clipped to `maxValue`. Linear in the block and
 * copies nothing beyond the clipped values, so a huge or broken header costs no memory.
 */
export function readHeaderBlock(raw: Buffer, start: number, end: number, wanted: ReadonlySet<string>, maxValue: number): HeaderBlock {
  const fields = new Map<string, string>();
  // most header lines are not wanted: those are skipped by the length of their name, without a string
  let longest = 0;
  for (const name of wanted) longest = Math.max(longest, name.length);
  let current: string | null = null;
  let pos = start;
  while (pos < end) {
    let nl = raw.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && raw[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) return { fields, bodyStart: Math.min(nl + 1, end) };
    const first = raw[pos];
    const line = raw.subarray(pos, Math.min(lineEnd, pos + maxValue));
    if (first === 0x20 || first === 0x09) {
      const value = current === null ? undefined : fields.get(current);
      if (value !== undefined && value.length < maxValue) fields.set(current!, (value + headerText(line)).slice(0, maxValue));
    } else {
      const colon = line.indexOf(0x3a);
      const name = colon > 0 && colon <= longest + 8 ? raw.toString('latin1', pos, pos + colon).trim().toLowerCase() : null;
      current = name !== null && wanted.has(name) && !fields.has(name) ? name : null;
      if (current !== null) fields.set(current, headerText(line.subarray(colon + 1)));
    }
    pos = nl + 1;
  }
  return { fields, bodyStart: end };
}

/** The MIME fields that shape an entity's body. */
export const MIME_FIELDS: ReadonlySet<string> = new Set(['content-type', 'content-disposition', 'content-transfer-encoding', 'content-id']);

const MAX_FIELD = 4000;
const MAX_DEPTH = 20;
const MAX_PARTS = 500;
/** mailparser treats these as body text rather than attachments (keepDeliveryStatus off) */
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);
const PARAM = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;

interface ParsedValue {
  value: string;
  params: Map<string, string>;
}

/** Drops (comments) outside quoted strings: `boundary=b (note)` names the boundary `b`, `"(b)"` stays. */
function stripComments(v: string): string {
  if (!v.includes('(')) return v;
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (v[i + 1] ?? '');
      i++;
    } else if (depth === 0 && c === '"') {
      quoted = !quoted;
      out += c;
    } else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

function parseStructured(v: string | undefined): ParsedValue {
  if (v === undefined) return { value: '', params: new Map() };
  const clean = stripComments(v);
  const semi = clean.indexOf(';');
  const params = new Map<string, string>();
  if (semi >= 0) {
    for (const m of clean.slice(semi).matchAll(PARAM)) {
      const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
      const key = m[1].toLowerCase();
      if (!params.has(key)) params.set(key, value);
    }
  }
  return { value: (semi >= 0 ? clean.slice(0, semi) : clean).trim().toLowerCase(), params };
}

export interface TextPart {
  start: number;
  end: number;
  encoding: string;
  charset: string;
}

/** What the walk found: the attachment count and where the body text is. */
export interface BodySketch {
  attachments: number;
  text: TextPart[];
  html: TextPart[];
}

interface Walk extends BodySketch {
  parts: number;
}

/** A delimiter line of a multipart body: where it starts, where the next part's headers begin. */
interface Delimiter {
  at: number;
  close: boolean;
  next: number;
}

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d;

function findDelimiter(raw: Buffer, delim: Buffer, from: number, end: number): Delimiter | null {
  let at = raw.indexOf(delim, from);
  while (at >= 0 && at + delim.length <= end) {
    if (at === from || raw[at - 1] === 0x0a) {
      let p = at + delim.length;
      if (raw[p] === 0x2d && raw[p + 1] === 0x2d) return { at, close: true, next: end };
      while (p < end && isBlank(raw[p])) p++;
      if (p >= end) return { at, close: false, next: end };
      if (raw[p] === 0x0a) return { at, close: false, next: p + 1 };
    }
    at = raw.indexOf(delim, at + 1);
  }
  return null;
}

/** End of a part's content: the line break before the next delimiter belongs to the delimiter. */
function contentEnd(raw: Buffer, start: number, delimiterAt: number): number {
  let e = delimiterAt;
  if (e > start && raw[e - 1] === 0x0a) e--;
  if (e > start && raw[e - 1] === 0x0d) e--;
  return e;
}

function walkEntity(raw: Buffer, block: HeaderBlock, end: number, parentType: string | null, related: boolean, depth: number, w: Walk): void {
  if (++w.parts > MAX_PARTS || depth > MAX_DEPTH) return;
  const ct = parseStructured(block.fields.get('content-type'));
  const cd = parseStructured(block.fields.get('content-disposition'));
  let type = ct.value;
  if (!type) {
    if (parentType === 'multipart/digest') type = 'message/rfc822';
    else if (parentType === null || parentType === 'message/rfc822') type = 'text/plain';
    else type = cd.params.has('filename') || cd.value === 'attachment' ? 'application/octet-stream' : 'text/plain';
  }
  const encoding = (block.fields.get('content-transfer-encoding') ?? '').trim().toLowerCase();

  if (type.startsWith('multipart/')) {
    const boundary = (ct.params.get('boundary') ?? '').trimEnd();
    if (!boundary || Buffer.byteLength(boundary) !== boundary.length) return;
    const delim = Buffer.from(`--${boundary}`, 'latin1');
    const inRelated = related || type === 'multipart/related';
    let d = findDelimiter(raw, delim, block.bodyStart, end);
    while (d && !d.close) {
      const partStart = d.next;
      const following = findDelimiter(raw, delim, partStart, end);
      const partEnd = following ? contentEnd(raw, partStart, following.at) : end;
      walkEntity(raw, readHeaderBlock(raw, partStart, partEnd, MIME_FIELDS, MAX_FIELD), partEnd, type, inRelated, depth + 1, w);
      d = following;
    }
    return;
  }

  let disposition = cd.value;
  if (disposition && disposition !== 'attachment' && disposition !== 'inline') disposition = 'attachment';
  if (!disposition) disposition = TEXT_TYPES.has(type) ? 'inline' : 'attachment';

  // an embedded message written as text is parsed into its own parts (mailsplit's rule)
  if (type === 'message/rfc822' && disposition === 'inline' && ['', '7bit', '8bit', 'binary'].includes(encoding)) {
    walkEntity(raw, readHeaderBlock(raw, block.bodyStart, end, MIME_FIELDS, MAX_FIELD), end, type, related, depth + 1, w);
    return;
  }

  const isAttachment = !TEXT_TYPES.has(type) || disposition !== 'inline';
  if (isAttachment) {
    // images that the HTML shows itself (cid: in a multipart/related) are not listed as attachments
    const inlineRelated = related && block.fields.has('content-id') && cd.value !== 'attachment';
    if (!inlineRelated) w.attachments++;
    return;
  }
  const part = { start: block.bodyStart, end, encoding, charset: ct.params.get('charset') ?? 'utf-8' };
  if (type === 'text/html') w.html.push(part);
  else w.text.push(part);
}

/** Walks the body of a message whose top-level header block was read with MIME_FIELDS included. */
export function sketchBody(raw: Buffer, top: HeaderBlock): BodySketch {
  const w: Walk = { attachments: 0, text: [], html: [], parts: 0 };
  walkEntity(raw, top, raw.length, null, false, 0, w);
  return { attachments: w.attachments, text: w.text, html: w.html };
}

const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

function decodeQuotedPrintable(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    if (b[i + 1] === 0x0a) i += 1;
    else if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) i += 2;
    else {
      const hi = hexValue(b[i + 1]);
      const lo = hexValue(b[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
      } else out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

/** Charset names mailparser reads as UTF-8 without decoding (compared without case and punctuation). */
const AS_UTF8 = new Set(['', 'ascii', 'usascii', 'utf8']);

/** Body bytes in a charset, as mailparser decodes them: iconv-lite through libmime, unknown charsets as UTF-8. */
function decodeCharset(bytes: Buffer, charset: string): string {
  if (AS_UTF8.has(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return bytes.toString('utf8');
  return decodeBytes(bytes, charset);
}

/** The first `limit` raw bytes of a text part, transfer-decoded and charset-decoded. */
export function decodeTextPrefix(raw: Buffer, part: TextPart, limit: number): string {
  const truncated = part.end - part.start > limit;
  let slice = raw.subarray(part.start, truncated ? part.start + limit : part.end);
  if (part.encoding === 'base64') {
    if (truncated) {
      const lastLine = slice.lastIndexOf(0x0a);
      if (lastLine > 0) slice = slice.subarray(0, lastLine);
    }
    return decodeCharset(Buffer.from(slice.toString('latin1'), 'base64'), part.charset);
  }
  if (part.encoding === 'quoted-printable') return decodeCharset(decodeQuotedPrintable(slice), part.charset);
  return decodeCharset(slice, part.charset);
}

/** How much body text to decode: when the text read so far is enough, and raw bytes read per text or HTML part at most. */
export interface TextLimits {
  enough: (text: string) => boolean;
  textBytes: number;
  htmlBytes: number;
}

/** A text part's text, decoding no more than needed: a growing prefix, up to `maxBytes` raw bytes. */
function decodePartText(raw: Buffer, part: TextPart, before: string, enough: (text: string) => boolean, maxBytes: number): string {
  const length = part.end - part.start;
  for (let bytes = Math.min(maxBytes, 256); ; bytes = Math.min(maxBytes, bytes * 4)) {
    const text = decodeTextPrefix(raw, part, bytes);
    if (bytes >= length || bytes >= maxBytes || enough(before + text)) return text;
  }
}

/**
 * The start of the body text as mailparser would give it: the plain-text parts (joined), or the
 * HTML parts when there is no plain text. `toText` turns HTML into text.
 */
export function leadingText(raw: Buffer, sketch: BodySketch, limits: TextLimits, toText: (html: string) => string): string {
  let text = '';
  for (const part of sketch.text) {
    if (text) text += '\n';
    text += decodePartText(raw, part, text, limits.enough, limits.textBytes);
    if (limits.enough(text)) break;
  }
  if (text.trim()) return text;
  const part = sketch.html[0];
  if (!part) return '';
  // HTML often opens with kilobytes of style: read more only when the text so far is not enough
  for (let bytes = Math.min(limits.htmlBytes, 4096); ; bytes = Math.min(limits.htmlBytes, bytes * 4)) {
    const html = toText(decodeTextPrefix(raw, part, bytes));
    if (bytes >= part.end - part.start || bytes >= limits.htmlBytes || limits.enough(html)) return html;
  }
}
