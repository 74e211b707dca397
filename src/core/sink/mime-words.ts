/** RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values, decoded for display. */
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
/** whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2) */
const BETWEEN_WORDS = /(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g;

function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset.replace(/\*.*$/, '').toLowerCase());
  } catch {
    return new TextDecoder('latin1');
  }
}

function qBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '_') bytes.push(0x20);
    else if (ch === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

export function decodeMimeWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(BETWEEN_WORDS, '$1')
    .replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qBytes(text);
      try {
        return decoderFor(charset).decode(bytes);
      } catch {
        return word;
      }
    });
}

/** Header values as stored: raw 8-bit bytes are UTF-8 (SMTPUTF8) when valid, else Latin-1. */
export function headerText(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
}
