import { libmime } from './libmime-lazy.js';
import type { HeaderBlock } from './header-block.js';
import type { BodySketch, TextPart } from './mime-scan.js';

/*
 * The start of a message's body text for the capture hot path: the text parts the MIME walk found,
 * transfer-decoded and charset-decoded a growing prefix at a time, never more than needed, with
 * the rules of mailparser's decoders (libqp, mailsplit's format=flowed, libmime's charsets).
 */

const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
const isBlank = (c: number) => c === 0x20 || c === 0x09;
const isLineEnd = (c: number) => c === 0x0a || c === 0x0d;

/** Quoted-printable as libqp reads it: blanks at the end of a line dropped, `=` before a line end (or the end) a soft break. */
function decodeQuotedPrintable(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  const n = b.length;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (isBlank(c)) {
      let j = i + 1;
      while (j < n && isBlank(b[j])) j++;
      if (j < n && !isLineEnd(b[j])) while (i < j) out[o++] = b[i++];
      i = j - 1;
      continue;
    }
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    let j = i + 1;
    while (j < n && isBlank(b[j])) j++;
    if (j >= n || b[j] === 0x0a) i = j;
    else if (b[j] === 0x0d && b[j + 1] === 0x0a) i = j + 1;
    else {
      const hi = j === i + 1 ? hexValue(b[i + 1]) : -1;
      const lo = hi >= 0 && i + 2 < n ? hexValue(b[i + 2]) : -1;
      if (lo >= 0) {
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
  if (charset === 'utf-8' || AS_UTF8.has(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return bytes.toString('utf8');
  return libmime().charset.decode(bytes, charset);
}

/** The first `limit` raw bytes of a text part, transfer-decoded, unfolded (format=flowed) and charset-decoded. */
export function decodeTextPrefix(raw: Buffer, part: TextPart, limit: number): string {
  const truncated = part.end - part.start > limit;
  let bytes = raw.subarray(part.start, truncated ? part.start + limit : part.end);
  if (part.encoding === 'base64') {
    if (truncated) {
      const lastLine = bytes.lastIndexOf(0x0a);
      if (lastLine > 0) bytes = bytes.subarray(0, lastLine);
    }
    bytes = Buffer.from(bytes.toString('latin1'), 'base64');
  } else if (part.encoding === 'quoted-printable') bytes = decodeQuotedPrintable(bytes);
  // mailsplit unfolds the transfer-decoded bytes, before the charset is decoded
  if (part.flowed) bytes = Buffer.from(libmime().libmime.decodeFlowed(bytes.toString('latin1'), part.delSp), 'latin1');
  return decodeCharset(bytes, part.charset);
}

/** How much body text to decode: when the text read so far is enough, and raw bytes read per text or HTML part at most. */
export interface TextLimits {
  enough: (text: string) => boolean;
  textBytes: number;
  htmlBytes: number;
}

/** How HTML and an embedded message's headers become text. */
export interface TextRendering {
  html: (html: string) => string;
  headers: (block: HeaderBlock) => string;
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
 * The start of the body text as mailparser would give it: the plain-text parts joined (embedded
 * messages introduced by their headers), or the HTML when there is no plain text.
 */
export function leadingText(raw: Buffer, sketch: BodySketch, limits: TextLimits, render: TextRendering): string {
  let text = '';
  // mailparser writes an embedded message's headers into the text only when there is plain text
  const hasText = sketch.text.some((item) => !('headers' in item));
  for (const item of hasText ? sketch.text : []) {
    if (text) text += '\n';
    text += 'headers' in item ? render.headers(item.headers) : decodePartText(raw, item, text, limits.enough, limits.textBytes);
    if (limits.enough(text)) break;
  }
  if (text.trim()) return text;
  const part = sketch.html[0];
  if (!part) return '';
  // HTML often opens with kilobytes of style: read more only when the text so far is not enough
  for (let bytes = Math.min(limits.htmlBytes, 4096); ; bytes = Math.min(limits.htmlBytes, bytes * 4)) {
    const html = render.html(decodeTextPrefix(raw, part, bytes));
    if (bytes >= part.end - part.start || bytes >= limits.htmlBytes || limits.enough(html)) return html;
  }
}
