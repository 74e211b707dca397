import { describe, expect, it } from 'vitest';
import { bodySnippet } from '../../../src/core/report/sync-client.js';

describe("an application's error page, reduced to one line", () => {
  it('gives the title of an HTML page, else its text without scripts, styles and tags', () => {
    expect(bodySnippet('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'text/html')).toBe('502 Bad Gateway');
    expect(bodySnippet('<html><style>p{}</style><script>x()</script><p>Login  failed</p></html>', 'text/html')).toBe('Login failed');
    expect(bodySnippet('plain   words\n', 'text/plain')).toBe('plain words');
  });

  it('reads hostile pages in linear time: unclosed <script, <title and < runs', () => {
    for (const page of ['<script'.repeat(40_000), `<html>${'<title'.repeat(40_000)}`, '<'.repeat(300_000), `<p>${'<style>'.repeat(30_000)}`]) {
      const started = performance.now();
      bodySnippet(page, 'text/html');
      expect(performance.now() - started, page.slice(0, 12)).toBeLessThan(250);
    }
  });
});
