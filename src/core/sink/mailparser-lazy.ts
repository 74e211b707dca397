import { createRequire } from 'node:module';
import type * as Mailparser from 'mailparser';

let loaded: typeof Mailparser | null = null;

/**
 * mailparser, loaded on its first use (a capture, an inspection): the relay starts, and delivers for
 * real, without paying for it. Every other file imports only its types.
 */
export function mailparser(): typeof Mailparser {
  loaded ??= createRequire(import.meta.url)('mailparser') as typeof Mailparser;
  return loaded;
}
