import { libmime } from './libmime-lazy.js';

/**
 * RFC 2047 encoded words (`=?charset?B|Q?text?=`) in a header value, decoded as mailparser decodes
 * them: adjacent words are joined before decoding, so a character split across two words survives,
 * and charsets go through iconv-lite (Node 20's TextDecoder reads windows-1252 as Latin-1).
 */
export function decodeMimeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime().libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** Header values as stored: raw 8-bit bytes are UTF-8 (SMTPUTF8) when valid, else Latin-1. */
export function headerText(bytes: Buffer): string {
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
}
