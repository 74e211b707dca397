import { describe, expect, it } from 'vitest';
import { serializeCsp, uiCsp } from '../../src/shared/csp.js';
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
        "media-src * data:; connect-src 'self' http://127.0.0.1:* http://localhost:* http://[::1]:*; frame-src 'self' about: data: blob:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'",
    );
    expect(RENDERER_CSP).toBe(uiCsp('meta'));
  });

  it('serializes directives in order', () => {
    expect(serializeCsp({ 'default-src': ["'none'"], sandbox: [] })).toBe("default-src 'none'; sandbox");
  });
});
