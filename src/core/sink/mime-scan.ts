import { ADDRESS_LISTS, MIME_FIELDS, readHeaderBlock, type HeaderBlock } from './header-block.js';

/**
 * A fast, approximate walk over a message's MIME structure for the capture hot path: only header
 * blocks are read and multipart bodies are split with native buffer searches, nothing is decoded
 * but the start of the first text part. It mirrors mailparser's rules for what counts as an
 * attachment in the common cases; the background indexer parses every message in full afterwards
 * and records mailparser's own answer.
 */

const MAX_FIELD = 4000;
/** what is read of an embedded message's header block */
const EMBEDDED_FIELDS: ReadonlySet<string> = new Set([...MIME_FIELDS, 'from', 'subject', 'date', ...ADDRESS_LISTS]);
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
  /** text/plain with format=flowed (RFC 3676), and whether delsp=yes */
  flowed: boolean;
  delSp: boolean;
}

/** The header block of an embedded message: mailparser writes its From, Subject, Date, To and Cc into the text. */
export interface EmbeddedHeaders {
  headers: HeaderBlock;
}

/** What the walk found: the attachment count and where the body text is, in document order. */
export interface BodySketch {
  attachments: number;
  text: (TextPart | EmbeddedHeaders)[];
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
    const inner = readHeaderBlock(raw, block.bodyStart, end, EMBEDDED_FIELDS, MAX_FIELD, ADDRESS_LISTS);
    w.text.push({ headers: inner });
    walkEntity(raw, inner, end, type, related, depth + 1, w);
    return;
  }

  const isAttachment = !TEXT_TYPES.has(type) || disposition !== 'inline';
  if (isAttachment) {
    // images that the HTML shows itself (cid: in a multipart/related) are not listed as attachments
    const inlineRelated = related && block.fields.has('content-id') && cd.value !== 'attachment';
    if (!inlineRelated) w.attachments++;
    return;
  }
  // mailsplit unfolds format=flowed in text/plain only
  const flowed = type === 'text/plain' && ct.params.get('format')?.trim().toLowerCase() === 'flowed';
  const delSp = flowed && ct.params.get('delsp')?.trim().toLowerCase() === 'yes';
  const part = { start: block.bodyStart, end, encoding, charset: ct.params.get('charset') ?? 'utf-8', flowed, delSp };
  if (type === 'text/html') w.html.push(part);
  else w.text.push(part);
}

/** Walks the body of a message whose top-level header block was read with MIME_FIELDS included. */
export function sketchBody(raw: Buffer, top: HeaderBlock): BodySketch {
  const w: Walk = { attachments: 0, text: [], html: [], parts: 0 };
  walkEntity(raw, top, raw.length, null, false, 0, w);
  return { attachments: w.attachments, text: w.text, html: w.html };
}
