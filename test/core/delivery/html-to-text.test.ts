import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../src/core/delivery/html-to-text.js';

describe('html to text alternative', () => {
  it('keeps structure, links and entities readable', () => {
    const html = `<html><head><style>p{}</style><title>t</title></head><body>
      <h1>Hello&nbsp;there</h1><p>Line one<br>Line two &amp; more</p>
      <ul><li>first</li><li>second</li></ul><a href="https://x.test/a">Click</a><script>alert(1)</script></body></html>`;
    expect(htmlToText(html)).toBe('Hello there\n\nLine one\nLine two & more\n\n- first\n- second\n\nClick (https://x.test/a)');
  });
});
