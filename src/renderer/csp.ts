import type { Plugin } from 'vite';
import { uiCsp } from '../shared/csp.js';

/**
 * The page's Content-Security-Policy, written into the built index.html (not in dev: the dev server
 * injects inline scripts). The relay sends the header variant of the same policy when it serves the
 * page; in the desktop window (app://renderer) this meta is the policy.
 */
export const RENDERER_CSP = uiCsp('meta');

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
