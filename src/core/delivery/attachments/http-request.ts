import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { RELAY_VERSION } from '../../version.js';

/** One resolved address a request must connect to (checked before, never looked up again). */
export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
  /** connect here instead of resolving the URL's host (the host still names the TLS certificate) */
  pinned?: PinnedAddress;
}

/** Sends one request (no redirects followed) and resolves with the response head; the body is the caller's to read. */
export function httpRequest(req: HttpRequest): Promise<http.IncomingMessage> {
  const client = req.url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'User-Agent': `genro-mail-relay/${RELAY_VERSION}`, ...req.headers };
  if (req.body) headers['Content-Length'] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const r = client.request(
      req.url,
      { method: req.method, headers, signal: req.signal, ...(req.pinned ? { lookup: pinnedLookup(req.pinned) } : {}) },
      resolve,
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A lookup that answers the checked address: a second DNS answer cannot move the connection elsewhere. */
function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  }) as LookupFunction;
}

/** Too many bytes for the size limit, while reading (the declared length was absent or wrong). */
export class BodyTooLarge extends Error {}

/** Reads the whole body, stopping with BodyTooLarge past `maxBytes`. */
export async function readBody(res: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Drops a body that is not wanted (the connection is not reused). */
export function discard(res: http.IncomingMessage): void {
  res.destroy();
}

/** The declared Content-Length, or null. */
export function declaredLength(res: http.IncomingMessage): number | null {
  const n = Number(res.headers['content-length']);
  return res.headers['content-length'] !== undefined && Number.isFinite(n) ? n : null;
}
