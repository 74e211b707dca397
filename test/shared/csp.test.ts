import { describe, expect, it } from 'vitest';
import { previewCsp, serializeCsp, uiCsp } from '../../src/shared/csp.js';
import { RENDERER_CSP } from '../../src/renderer/csp.js';

describe('the UI page policy', () => {
  it('as the relay sends it: same-origin API, never framed', () => {
    expect(uiCsp('header')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' http: https:; img-src * data: blob:; font-src * data:; " +
        "media-src * data:; connect-src 'self'; frame-src 'self' about: data: blob:; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'none'",
    );
  });

  it('as the built page carries it: the loopback relay reachable, no frame-ancestors (ignored in a meta tag)', () => {
    expect(uiCsp('meta')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' http: https:; img-src * data: blob:; font-src * data:; " +
        "media-src * data:; connect-src 'self' http://127.0.0.1:* http://localhost:*; frame-src 'self' about: data: blob:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'",
    );
    expect(RENDERER_CSP).toBe(uiCsp('meta'));
    // CSP host-sources have no IPv6 literal form: Chromium logs such a source as invalid (#20.7)
    expect(uiCsp('meta')).not.toMatch(/\[[0-9a-f:]*\]/i);
  });

  it('serializes directives in order', () => {
    expect(serializeCsp({ 'default-src': ["'none'"], sandbox: [] })).toBe("default-src 'none'; sandbox");
  });
});

describe('the captured HTML policy', () => {
  it('no scripts, inline parts as data:/blob: only (never a relay URL), nothing remote until allowed', () => {
    expect(previewCsp(false, 'meta')).toBe("default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; font-src data:; media-src data: blob:");
    expect(previewCsp(true, 'meta')).toBe(
      "default-src 'none'; img-src * http: https: data: blob:; style-src * http: https: 'unsafe-inline'; font-src * http: https: data:; media-src * http: https: data: blob:",
    );
  });

  it('as GET /api/captured/:id/html sends it: the same, sandboxed without scripts', () => {
    expect(previewCsp(false, 'header')).toBe(`${previewCsp(false, 'meta')}; sandbox allow-popups allow-popups-to-escape-sandbox`);
    expect(previewCsp(true, 'header')).toBe(`${previewCsp(true, 'meta')}; sandbox allow-popups allow-popups-to-escape-sandbox`);
  });
});
