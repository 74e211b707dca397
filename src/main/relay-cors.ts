import type { HeadersReceivedDetails, HeadersReceivedResponse, WebRequestLike } from './electron-types.js';

export interface RelayCorsOptions {
  /** the relay's base URL, e.g. http://127.0.0.1:8000 */
  relayUrl: string;
  /** the renderer's origin: app://renderer, or the dev server's http://localhost:5173 */
  rendererOrigin: string;
}

const ALLOW_HEADERS = 'X-API-Token, Authorization, Content-Type, Last-Event-ID, Cache-Control';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * The window's renderer runs on its own origin and calls the relay's HTTP API and SSE stream.
 * The relay sends no CORS headers (browsers use the UI it serves itself, same origin), so the
 * desktop shell grants them here, for requests from the renderer's origin to the relay only.
 */
export function corsResponse(details: HeadersReceivedDetails, opts: RelayCorsOptions): HeadersReceivedResponse {
  const relay = new URL(opts.relayUrl);
  let target: URL;
  try {
    target = new URL(details.url);
  } catch {
    return {};
  }
  if (target.origin !== relay.origin || details.initiatorOrigin !== opts.rendererOrigin) return {};
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
    if (!name.toLowerCase().startsWith('access-control-')) headers[name] = value;
  }
  headers['Access-Control-Allow-Origin'] = [opts.rendererOrigin];
  headers['Access-Control-Allow-Headers'] = [ALLOW_HEADERS];
  headers['Access-Control-Allow-Methods'] = [ALLOW_METHODS];
  headers['Access-Control-Expose-Headers'] = ['*'];
  headers['Access-Control-Max-Age'] = ['600'];
  headers.Vary = ['Origin'];
  // a preflight must succeed whatever the route answers to OPTIONS; auth applies to the real request
  if (details.method === 'OPTIONS') return { responseHeaders: headers, statusLine: 'HTTP/1.1 204 No Content' };
  return { responseHeaders: headers };
}

export function installRelayCors(webRequest: WebRequestLike, opts: RelayCorsOptions): void {
  const relay = new URL(opts.relayUrl);
  // URL patterns match every port when none is given; corsResponse checks the exact origin
  webRequest.onHeadersReceived({ urls: [`${relay.protocol}//${relay.hostname}/*`] }, (details, callback) => {
    callback(corsResponse(details, opts));
  });
}
