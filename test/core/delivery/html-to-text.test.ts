import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../src/core/delivery/html-to-text.js';

describe('html to text alternative', () => {
  it('keeps structure, links and entities readable', () => {
    const html = `<html><head><style>p{}</style><title>t</title></head><body>
      <h1>Hello&nbsp;there</h1><p>Line one<br>Line two &amp; more</p>
      <ul><li>first</li><li>second</li></ul><a href="https://x.test/a">Click</a><script>alert(1)</script></body></html>`;
    expect(htmlToText(html)).toBe('Hello there\n\nLine one\nLine two & more\n\n- first\n- second\n\nClick (https://x.test/a)');
  });

  it('decodes every HTML entity, named or numeric, exactly once', () => {
    expect(htmlToText('<p>It&rsquo;s caf&eacute; &ndash; &#x20AC;&#8239;5, &laquo;&nbsp;ok&nbsp;&raquo;, write &amp;lt;b&amp;gt;</p>')).toBe('It’s café – €\u202f5, « ok », write &lt;b&gt;');
  });

  it('keeps the target of links whatever the quoting of href, and shows a mailto: link by its label', () => {
    const html = `<p><a href=https://x.test/unquoted>Open</a>, <a href='https://x.test/single'>Single</a>, <a HREF = "https://x.test/spaced" class="btn">Spaced</a>, <a href="mailto:help@x.test">write to us</a>, <a href="https://x.test/same">https://x.test/same</a></p>`;
    expect(htmlToText(html)).toBe('Open (https://x.test/unquoted), Single (https://x.test/single), Spaced (https://x.test/spaced), write to us, https://x.test/same');
  });

  it('lays out tables in columns and layout tables as blocks, without wrapping long lines', () => {
    const long = 'word '.repeat(30).trim();
    const html = `<table><tr><th>Item</th><th>Qty</th></tr><tr><td>Tea</td><td>2</td></tr></table><table width="600"><tr><td><h2>News</h2><p>${long}</p></td></tr></table>`;
    expect(htmlToText(html)).toBe(`Item   Qty\nTea    2\n\nNews\n\n${long}`);
  });
});
