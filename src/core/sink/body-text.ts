import { decode as decodeBytes } from 'libmime/lib/charset.js';
import type { BodySketch, TextPart } from './mime-scan.js';

/*
 * The start of a message's body text for the capture hot path: the text parts the MIME walk found,
 * transfer-decoded and charset-decoded a growing prefix at a time, never more than needed.
 */

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
