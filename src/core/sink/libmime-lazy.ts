import { createRequire } from 'node:module';
import type * as Libmime from 'libmime';
import type * as Charset from 'libmime/lib/charset.js';

const load = createRequire(import.meta.url);
let loaded: { libmime: typeof Libmime.default; charset: typeof Charset } | null = null;

/**
 * libmime (and iconv-lite behind it), loaded on the first captured message or inspection: the relay
 * answers /health ~50 ms sooner without it. Every other file imports only its types.
 */
export function libmime(): { libmime: typeof Libmime.default; charset: typeof Charset } {
  loaded ??= { libmime: load('libmime') as typeof Libmime.default, charset: load('libmime/lib/charset.js') as typeof Charset };
  return loaded;
}
