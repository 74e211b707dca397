import { describe, expect, it } from 'vitest';
import { decodeMimeWords } from '../../../src/core/sink/mime-words.js';

describe('RFC 2047 encoded words', () => {
  it('decodes RFC 2047 words in any charset', () => {
    expect(decodeMimeWords('=?UTF-8?B?w6nDqQ==?= =?ISO-8859-1?Q?caf=E9_au_lait?=')).toBe('éécafé au lait');
    expect(decodeMimeWords('plain =?bogus-charset?Q?x?=')).toBe('plain x');
    expect(decodeMimeWords('no words here')).toBe('no words here');
  });

  it('reads windows-1252 as windows-1252, not as Latin-1 (0x80 is the euro sign, 0x93/0x94 quotes)', () => {
    expect(decodeMimeWords('=?windows-1252?Q?Preis_=80_100_=93netto=94?=')).toBe('Preis € 100 “netto”');
    expect(decodeMimeWords('=?cp1252?B?gCA1?=')).toBe('€ 5');
  });

  it('keeps a UTF-8 character split across two encoded words whole (B and Q, folded or not)', () => {
    expect(decodeMimeWords('=?UTF-8?B?R3LD?= =?UTF-8?B?vMOfZQ==?=')).toBe('Grüße');
    expect(decodeMimeWords('=?UTF-8?Q?Gr=C3?=\r\n =?UTF-8?Q?=BC=C3=9Fe?=')).toBe('Grüße');
  });

  it('decodes the East Asian and Cyrillic charsets mail still uses, and RFC 2231 language tags', () => {
    expect(decodeMimeWords('=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=')).toBe('日本語');
    expect(decodeMimeWords('=?Shift_JIS?B?k/qWe4zq?=')).toBe('日本語');
    expect(decodeMimeWords('=?koi8-r?B?8NLJ18XU?=')).toBe('Привет');
    expect(decodeMimeWords('=?utf-8*de?Q?Gr=C3=BC=C3=9Fe?=')).toBe('Grüße');
  });

  it('leaves what is not a complete encoded word as it is', () => {
    expect(decodeMimeWords('=?utf-8?B?broken')).toBe('=?utf-8?B?broken');
    expect(decodeMimeWords('a =?utf-8?Q?b?= c')).toBe('a b c');
  });
});
