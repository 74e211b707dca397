import { describe, expect, it } from 'vitest';
import { decodeMimeWords } from '../../../src/core/sink/mime-words.js';

describe('RFC 2047 encoded words', () => {
  it('decodes RFC 2047 words in any charset', () => {
    expect(decodeMimeWords('=?UTF-8?B?w6nDqQ==?= =?ISO-8859-1?Q?caf=E9_au_lait?=')).toBe('éécafé au lait');
    expect(decodeMimeWords('plain =?bogus-charset?Q?x?=')).toBe('plain x');
    expect(decodeMimeWords('no words here')).toBe('no words here');
  });
});
