/**
 * The Content-Security-Policies of the web UI page and of captured mail's HTML, built in one place:
 * as the relay's response headers and as the meta tags of the built page and of the preview frame.
 */

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/** `name value value; name value` in the order given. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

/**
 * The relay on this machine, which the desktop window (app://renderer) reaches cross-origin. No [::1]:
 * CSP's host grammar has no IPv6 literals, and Chromium reports `http://[::1]:*` as an invalid source.
 */
export const LOOPBACK_ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*'] as const;

/**
 * The captured-mail preview is an iframe `srcdoc`, which inherits this policy, so images, styles and
 * fonts stay open here; the preview narrows them again with its own policy and a script-less sandbox.
 * `header`: the relay serves the page (same-origin API; frame-ancestors only works in a header).
 * `meta`: the built page, also loaded by the desktop window, which talks to the loopback relay.
 */
export function uiCsp(where: 'header' | 'meta'): string {
  return serializeCsp({
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'", 'http:', 'https:'],
    'img-src': ['*', 'data:', 'blob:'],
    'font-src': ['*', 'data:'],
    'media-src': ['*', 'data:'],
    'connect-src': where === 'header' ? ["'self'"] : ["'self'", ...LOOPBACK_ORIGINS],
    'frame-src': ["'self'", 'about:', 'data:', 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    ...(where === 'header' ? { 'frame-ancestors': ["'none'"] } : {}),
  });
}

/**
 * Captured mail's HTML: never scripts; inline parts only as data:/blob: URLs (a relay URL would need the API
 * token, which must never sit in untrusted mail); remote loads only once the user allows them.
 * `meta`: the UI's preview frame (its iframe carries the sandbox). `header`: GET /api/captured/:id/html.
 */
export function previewCsp(allowRemote: boolean, where: 'header' | 'meta'): string {
  const remote = allowRemote ? ['*', 'http:', 'https:'] : [];
  return serializeCsp({
    'default-src': ["'none'"],
    'img-src': [...remote, 'data:', 'blob:'],
    'style-src': [...remote, "'unsafe-inline'"],
    'font-src': [...remote, 'data:'],
    'media-src': [...remote, 'data:', 'blob:'],
    ...(where === 'header' ? { sandbox: ['allow-popups', 'allow-popups-to-escape-sandbox'] } : {}),
  });
}
