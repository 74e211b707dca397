import dns from 'node:dns';
import type http from 'node:http';
import net from 'node:net';
import { refusedAddressClass, type AddressClass } from './address-policy.js';
import { AttachmentError, networkCause, statusLine } from './errors.js';
import { BodyTooLarge, declaredLength, discard, httpRequest, readBody, type PinnedAddress } from './http-request.js';

/** Every address a host name resolves to (dns.lookup with all: true; tests inject their own). */
export type LookupAll = (hostname: string) => Promise<PinnedAddress[]>;

export const systemLookupAll: LookupAll = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface UrlFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** loopback, private and link-local addresses may be reached ([attachments] allow_private_networks) */
  allowPrivateNetworks: boolean;
  lookup?: LookupAll;
  /** which addresses are refused (tests make one loopback address stand for a public one) */
  addressClass?: (address: string) => AddressClass | null;
  signal?: AbortSignal;
}

export const MAX_REDIRECTS = 5;

/** The URL without credentials or query (it may carry a signature), for error texts. */
export function redact(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * GETs a URL a message names, as a guarded server-side request: each hop's host is resolved once, every
 * address checked (unless private networks are allowed), the connection pinned to a checked address,
 * redirects followed here (at most 5) and checked again. Errors carry `where` and a short cause only;
 * 5xx, timeouts and network failures are temporary.
 */
export async function fetchUrl(url: string, label: string, o: UrlFetchOptions & { showUrl: boolean }): Promise<Buffer> {
  let target = parseHttpUrl(url, label);
  const where = o.showUrl ? `${label} (${redact(target)})` : label;
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const fail = (err: unknown, phase: 'answer' | 'download'): never => {
    if (err instanceof AttachmentError) throw err;
    if (timeout.aborted) {
      const text = phase === 'answer' ? `no answer within ${o.timeoutMs} ms` : `download not finished within ${o.timeoutMs} ms`;
      throw new AttachmentError(`${where}: ${text}`, { temporary: true });
    }
    throw new AttachmentError(`${where}: ${networkCause(err)}`, { temporary: true });
  };
  for (let hop = 0; ; hop++) {
    let res: http.IncomingMessage;
    try {
      const pinned = await checkedAddress(target, where, o, signal);
      res = await httpRequest({ url: target, method: 'GET', signal, pinned });
    } catch (err) {
      return fail(err, 'answer');
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      discard(res);
      if (hop >= MAX_REDIRECTS) throw new AttachmentError(`${where}: more than ${MAX_REDIRECTS} redirects`);
      target = redirectTarget(res.headers.location, target, where);
      continue;
    }
    if (status < 200 || status > 299) {
      discard(res);
      throw new AttachmentError(`${where}: ${statusLine(status)}`, { temporary: status >= 500 });
    }
    const declared = declaredLength(res);
    if (declared !== null && declared > o.maxBytes) {
      discard(res);
      throw new AttachmentError(`${where}: ${declared} bytes exceed the size limit of ${o.maxBytes} bytes`);
    }
    try {
      return await readBody(res, o.maxBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw new AttachmentError(`${where}: more than ${o.maxBytes} bytes (size limit)`);
      return fail(err, 'download');
    }
  }
}

function parseHttpUrl(url: string, where: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AttachmentError(`${where}: invalid URL '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AttachmentError(`${where}: only http and https URLs are fetched, not '${parsed.protocol}'`);
  }
  return parsed;
}

/** Where a redirect leads; the Location itself is not echoed (it may carry what the server knows). */
function redirectTarget(location: string, from: URL, where: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new AttachmentError(`${where}: redirected to an invalid URL`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new AttachmentError(`${where}: redirected to a '${next.protocol}' URL, not fetched`);
  return next;
}

/** Resolves the hop's host and checks every address it has; the first one is where the request goes. */
async function checkedAddress(u: URL, where: string, o: UrlFetchOptions, signal: AbortSignal): Promise<PinnedAddress> {
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const literal = net.isIP(host);
  const addresses: PinnedAddress[] = literal ? [{ address: host, family: literal === 6 ? 6 : 4 }] : await untilAborted((o.lookup ?? systemLookupAll)(host), signal);
  if (addresses.length === 0) throw new AttachmentError(`${where}: host not found`);
  if (!o.allowPrivateNetworks) {
    for (const a of addresses) {
      const cls = (o.addressClass ?? refusedAddressClass)(a.address);
      if (cls === null) continue;
      const kind = `${cls === 'unspecified' ? 'an' : 'a'} ${cls} address`;
      const named = literal ? `${u.hostname} is ${kind}` : `${u.hostname} resolves to ${kind}`;
      throw new AttachmentError(`${where}: not fetched, ${named} ([attachments] allow_private_networks is off)`);
    }
  }
  return addresses[0];
}

/** A lookup cannot be cancelled: the fetch stops waiting for it when its signal fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
