import type { Plugin } from 'vite';

/**
 * The page's Content-Security-Policy, written into the built index.html (not in dev: the dev server
 * injects inline scripts). The relay sends a stricter header of its own when it serves the page; in the
 * desktop window (app://renderer) this meta is the policy. connect-src names the loopback relay, which
 * the desktop window reaches cross-origin. The captured-mail preview is an iframe srcdoc that inherits
 * this policy, so images, styles and fonts stay open here and the preview narrows them itself.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' http: https:",
  'img-src * data: blob:',
  'font-src * data:',
  'media-src * data:',
  "connect-src 'self' http://127.0.0.1:* http://localhost:* http://[::1]:*",
  "frame-src 'self' about: data: blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export function cspMetaPlugin(): Plugin {
  return {
    name: 'gmr-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: RENDERER_CSP }, injectTo: 'head-prepend' }],
    },
  };
}
