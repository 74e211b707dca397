/**
 * A small HTTP stub standing in for the relay in the double's own tests: it records every call,
 * answers per route (scriptable), and can play the relay's side of proxy_sync and attachment fetches.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GenropyApp } from '../index.js';

export interface StubCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  raw: string;
  json: unknown;
}

export type StubReply = { status?: number; json?: unknown; text?: string; delayMs?: number } | { hang: true };
export type StubHandler = (call: StubCall) => StubReply | Promise<StubReply>;

/** Answers every route Genropy calls, as a well-behaved v0.6.10 would for a small session. */
function defaults(): Map<string, StubHandler> {
  const count = (c: StubCall) => ((c.json as { messages?: unknown[] })?.messages ?? []).length;
  return new Map<string, StubHandler>([
    ['GET /health', () => ({ json: { status: 'ok' } })],
    ['POST /tenant', (c) => ({ json: { ok: true, api_key: `key-${(c.json as { id: string }).id}` } })],
    ['DELETE /tenant', () => ({ json: { ok: true } })],
    ['POST /account', () => ({ json: { ok: true } })],
    ['DELETE /account', () => ({ json: { ok: true } })],
    ['GET /accounts', () => ({ json: { ok: true, accounts: [] } })],
    ['GET /messages', () => ({ json: { ok: true, messages: [] } })],
    ['POST /commands/run-now', () => ({ json: { ok: true } })],
    ['POST /commands/add-messages', (c) => ({ json: { ok: true, queued: count(c), rejected: [] } })],
    ['POST /commands/cleanup-messages', () => ({ json: { ok: true, removed: 0 } })],
  ]);
}

export class StubRelay {
  readonly calls: StubCall[] = [];
  private readonly handlers = defaults();
  private readonly hanging = new Set<http.ServerResponse>();
  private server: http.Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Replaces the handler of a route ("POST /tenant"; a path's first two segments for /tenant/{id} and /account/{id}). */
  on(route: string, handler: StubHandler): void {
    this.handlers.set(route, handler);
  }

  callsTo(route: string): StubCall[] {
    return this.calls.filter((c) => routeOf(c.method, c.path) === route);
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections()));
  }

  private async answer(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    const call: StubCall = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, raw, json };
    this.calls.push(call);
    const handler = this.handlers.get(routeOf(call.method, call.path));
    const reply: StubReply = handler ? await handler(call) : { status: 404, json: { detail: 'Not Found' } };
    if ('hang' in reply) {
      this.hanging.add(res);
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const body = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
    res.writeHead(reply.status ?? 200, { 'Content-Type': reply.text !== undefined ? 'text/plain' : 'application/json' });
    res.end(body);
  }
}

function routeOf(method: string, path: string): string {
  const m = /^\/(tenant|account)\/[^/]+$/.exec(path);
  return `${method} ${m ? `/${m[1]}` : path}`;
}

export interface AppAnswer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
  bytes: Buffer;
}

/** POSTs to one of the application's methods as the relay does (JSON body, Basic auth). */
export async function callApp(url: string, body: unknown, authorization: string | null, contentType = 'application/json'): Promise<AppAnswer> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (authorization) headers.Authorization = authorization;
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: bytes.toString('utf8'), json, bytes };
}

/** One proxy_sync from the relay with these delivery_report items. */
export function relaySync(app: GenropyApp, items: unknown[], authorization: string | null = app.basicAuth()): Promise<AppAnswer> {
  return callApp(app.syncUrl, { delivery_report: items }, authorization);
}

/** One attachment fetch from the relay. */
export function fetchAttachment(app: GenropyApp, storagePath: unknown, authorization: string | null = app.basicAuth()): Promise<AppAnswer> {
  return callApp(app.attachmentsUrl, storagePath === undefined ? {} : { storage_path: storagePath }, authorization);
}

/** A clock a test moves by hand (same shape as the relay's). */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 7, 6, 12, 0, 0)) {}
  nowMs(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  get sec(): number {
    return Math.floor(this.ms / 1000);
  }
}
