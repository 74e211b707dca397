/**
 * mailproxy.py `_request` (reference §1.1): one HTTP call to the relay and the rules Genropy applies
 * to its answer. The reply rules are a pure function (`interpretReply`), the transport is node:http.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { ExchangeLog } from './observe.js';
import { summarise } from './observe.js';
import { pyFloat, pyJsonDumps, pyStr, truthy } from './py.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Paths that take the admin token; every other path takes the tenant token (mailproxy.py:224-230). */
export const ADMIN_PREFIXES = ['/tenant', '/tenants', '/instance', '/command-log'] as const;

export function usesAdminToken(path: string): boolean {
  return ADMIN_PREFIXES.some((p) => path.startsWith(p));
}

/** Seconds the client waits: 10, add-messages min(60, 10 + 0.05·n) (§4), /health 5 (§1.2 #1). */
export const DEFAULT_TIMEOUT_S = 10;
export const HEALTH_TIMEOUT_S = 5;
export function addMessagesTimeout(n: number): number {
  return Math.min(60, 10 + 0.05 * n);
}

/** requests' own headers: Genropy sets nothing else but X-API-Token. */
export const REQUESTS_HEADERS = { 'User-Agent': 'python-requests/2.32.3', Accept: '*/*', 'Accept-Encoding': 'gzip, deflate' };

/** What the relay answered, as requests hands it over. */
export interface RawReply {
  status: number;
  reason: string;
  body: Buffer;
}

/** Either the value `_request` returns or the text of the exception it raises. */
export type ReplyOutcome = { kind: 'result'; value: unknown } | { kind: 'error'; message: string };

/** mailproxy.py:232-264 applied to one answer; `url` is the full URL with its query string. */
export function interpretReply(reply: RawReply, url: string): ReplyOutcome {
  const text = reply.body.toString('utf8');
  if (reply.status >= 400 && reply.status < 600) {
    let body: unknown = null;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (truthy(body) && isObject(body) && 'rejected' in body) return { kind: 'result', value: body };
    if (truthy(body)) {
      if (!isObject(body)) return { kind: 'error', message: `'${pyTypeName(body)}' object has no attribute 'get'` };
      const detail = [body.detail, body.error, body.message].find(truthy) ?? pyStr(body);
      return { kind: 'error', message: `Mail proxy request failed: ${reply.status} - ${pyStr(detail)}` };
    }
    const side = reply.status < 500 ? 'Client' : 'Server';
    return { kind: 'error', message: `Mail proxy request failed: ${reply.status} ${side} Error: ${reply.reason} for url: ${url}` };
  }
  if (reply.status === 204 || reply.body.length === 0) return { kind: 'result', value: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: 'error', message: 'Mail proxy returned a non-JSON response' };
  }
  if (isObject(data) && !('status' in data) && 'ok' in data) data.status = truthy(data.ok) ? 'ok' : 'error';
  return { kind: 'result', value: data };
}

export interface CallOptions {
  json?: unknown;
  params?: Record<string, string>;
  token: string | null | undefined;
  timeoutS: number;
}

export interface Transport {
  proxyUrl: string | null;
  /** multiplies every timeout, so tests can check them without waiting seconds */
  timeScale: number;
  log: ExchangeLog;
}

/** `_request`: resolves with the result, rejects with an Error whose message is Genropy's text. */
export async function mailProxyRequest(t: Transport, method: HttpMethod, path: string, opts: CallOptions): Promise<unknown> {
  if (!t.proxyUrl) throw new Error('Proxy URL is not configured');
  const query = opts.params ? `?${new URLSearchParams(opts.params).toString()}` : '';
  const url = `${t.proxyUrl.replace(/\/+$/, '')}${path}${query}`;
  const headers: Record<string, string> = { ...REQUESTS_HEADERS };
  if (opts.token) headers['X-API-Token'] = opts.token;
  let body: Buffer | null = null;
  if (opts.json !== undefined && opts.json !== null) {
    body = Buffer.from(pyJsonDumps(opts.json), 'utf8');
    headers['Content-Type'] = 'application/json';
  }
  if (body || method === 'POST') headers['Content-Length'] = String(body?.length ?? 0);
  const parsed = new URL(url);
  const entry = t.log.open({ direction: 'out', method, path: parsed.pathname + parsed.search, headers, request: summarise(body ?? ''), timeoutS: opts.timeoutS });
  let reply: RawReply;
  try {
    reply = await send(parsed, method, headers, body, opts.timeoutS * 1000 * t.timeScale);
  } catch (err) {
    const message = `Mail proxy request failed: ${networkText(err, parsed, opts.timeoutS)}`;
    t.log.close(entry, null, null, message);
    throw new Error(message);
  }
  const outcome = interpretReply(reply, url);
  t.log.close(entry, reply.status, summarise(reply.body), outcome.kind === 'error' ? outcome.message : undefined);
  if (outcome.kind === 'error') throw new Error(outcome.message);
  return outcome.value;
}

/** requests.get(url, timeout=5) as the "Proxy reachable" light uses it: any status < 400 is green. */
export async function healthCheck(t: Transport): Promise<boolean> {
  if (!t.proxyUrl) return false;
  const parsed = new URL(`${t.proxyUrl.replace(/\/+$/, '')}/health`);
  const entry = t.log.open({ direction: 'out', method: 'GET', path: parsed.pathname, headers: { ...REQUESTS_HEADERS }, request: summarise(''), timeoutS: HEALTH_TIMEOUT_S });
  try {
    const reply = await send(parsed, 'GET', { ...REQUESTS_HEADERS }, null, HEALTH_TIMEOUT_S * 1000 * t.timeScale);
    t.log.close(entry, reply.status, summarise(reply.body));
    return reply.status < 400;
  } catch (err) {
    t.log.close(entry, null, null, networkText(err, parsed, HEALTH_TIMEOUT_S));
    return false;
  }
}

class Timeout extends Error {}

function send(url: URL, method: HttpMethod, headers: Record<string, string>, body: Buffer | null, timeoutMs: number): Promise<RawReply> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // requests opens a new session, hence a new connection, for every call
    const req = lib.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        try {
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', body: decode(Buffer.concat(chunks), res.headers['content-encoding']) });
        } catch (err) {
          reject(err);
        }
      });
    });
    const timer = setTimeout(() => req.destroy(new Timeout()), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body ?? undefined);
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  if (encoding === 'deflate') return zlib.inflateSync(body);
  return body;
}

/** The text of requests' exception for a timeout or a connection failure (urllib3's wording). */
function networkText(err: unknown, url: URL, timeoutS: number): string {
  const pool = `${url.protocol === 'https:' ? 'HTTPS' : 'HTTP'}ConnectionPool(host='${url.hostname}', port=${url.port || (url.protocol === 'https:' ? 443 : 80)})`;
  if (err instanceof Timeout) return `${pool}: Read timed out. (read timeout=${pyFloat(timeoutS)})`;
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') {
    return `${pool}: Max retries exceeded with url: ${url.pathname}${url.search} (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))`;
  }
  if (code === 'ECONNRESET') return "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))";
  return `${pool}: ${err instanceof Error ? err.message : String(err)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pyTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'NoneType';
}
