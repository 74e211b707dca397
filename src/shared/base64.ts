/**
 * The one base64 check of attachment content, shared by the API schemas, the intake's validation and
 * the dispatcher's decoding, so a content the API accepts is one the dispatcher can decode. Both
 * alphabets (standard and URL-safe, as Node decodes them) and whitespace anywhere are accepted;
 * '=' only at the end, at most two. One pass over the characters: no regular expression, no backtracking.
 */

const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') ALPHABET[c.charCodeAt(0)] = 1;
const EQUALS = 0x3d;
const WHITESPACE = /\s/;

function isSpace(code: number): boolean {
  if (code < 128) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return WHITESPACE.test(String.fromCharCode(code));
}

/** Whether `text` is base64 content: see above. */
export function isBase64(text: string): boolean {
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) continue;
    if (code === EQUALS) {
      if (++padding > 2) return false;
    } else if (padding > 0 || code >= 128 || !ALPHABET[code]) {
      return false;
    }
  }
  return true;
}

/** The content without its whitespace, ready for `Buffer.from(..., 'base64')`. */
export function compactBase64(text: string): string {
  return text.replace(/\s+/g, '');
}
