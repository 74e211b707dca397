/**
 * The web UI page's Content-Security-Policy, built in one place for the two ways the page gets it:
 * the relay's response header when it serves the page, and the meta tag of the built index.html.
 */

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/** `name value value; name value` in the order given. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

/** The relay on this machine, which the desktop window (app://renderer) reaches cross-origin. */
export const LOOPBACK_ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'] as const;

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
