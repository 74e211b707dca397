/**
 * The page mp_endpoint as Genropy serves it (externalcall.py BaseRpc.rootPage, reference §2.1):
 * `<base>/<method>`, the tag check before the method runs, werkzeug's get_json, and every exchange
 * logged. Auth failure = 200 JSON {"error": text}; unknown method = plain text.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTH_ERROR_TEXT, verifyBasic, type UserTable } from './auth.js';
import { summarise, type Exchange, type ExchangeLog } from './observe.js';
import { truthy } from './py.js';

export type Reply =
  | { status: number; json: unknown }
  | { status: number; html: string }
  | { status: number; text: string }
  | { status: number; bytes: Buffer }
  | { hang: true };

/** gnrwsgisite.dispatcher: any exception in a page becomes werkzeug's InternalServerError page. */
const INTERNAL_ERROR: Reply = {
  status: 500,
  html: '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>Internal server error</p>\n',
};

export interface RpcRequest {
  /** request.get_json() or {} */
  json: unknown;
  exchange: Exchange;
}

export interface RpcMethod {
  /** the tag the user must hold (@public_method(tags='_MAILPROXY_')) */
  tags: string;
  /** a forced refusal for this method, whatever the credentials (test fault) */
  refuseAuth?: () => boolean;
  /** told of every refusal (for counters) */
  onRefused?: (reason: string) => void;
  handle(req: RpcRequest): Promise<Reply>;
}

export class EndpointServer {
  private server: http.Server | null = null;
  private readonly hanging = new Set<http.ServerResponse>();
  port = 0;

  constructor(
    /** the page's path, e.g. /email/mailproxy/mp_endpoint */
    readonly basePath: string,
    private readonly methods: Record<string, RpcMethod>,
    private readonly users: UserTable,
    private readonly log: ExchangeLog,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}${this.basePath}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.dispatch(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Ends every hanging answer by dropping its connection. */
  releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.releaseHanging();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async dispatch(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const entry = this.log.open({ direction: 'in', method: req.method ?? 'GET', path: req.url ?? '/', headers, request: summarise(body, headers['content-type']) });
    let reply: Reply;
    let note: string | undefined;
    try {
      ({ reply, note } = await this.route(req, body, entry));
    } catch (err) {
      // an exception in the page: the site answers 500
      note = err instanceof Error ? err.message : String(err);
      reply = INTERNAL_ERROR;
    }
    if ('hang' in reply) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      this.log.close(entry, null, null, note ?? entry.note ?? 'hanging');
      return;
    }
    const [payload, type] = encode(reply);
    this.log.close(entry, reply.status, summarise(payload, type), note);
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'Content-Type': type, 'Content-Length': payload.length });
    res.end(payload);
  }

  private async route(req: http.IncomingMessage, body: Buffer, entry: Exchange): Promise<{ reply: Reply; note?: string }> {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    if (path === this.basePath) return { reply: { status: 200, text: 'Dummy rpc' } };
    if (!path.startsWith(`${this.basePath}/`)) return { reply: { status: 404, text: 'Not Found' } };
    const name = path.slice(this.basePath.length + 1).split('/')[0];
    const method = Object.hasOwn(this.methods, name) ? this.methods[name] : undefined;
    if (!method) return { reply: { status: 200, text: `Not existing method ${name}` } };
    const decision = method.refuseAuth?.() ? { ok: false as const, reason: 'Wrong Authorization Login' } : verifyBasic(req.headers.authorization, this.users, method.tags);
    if (!decision.ok) {
      method.onRefused?.(decision.reason);
      return { reply: { status: 200, json: { error: AUTH_ERROR_TEXT } }, note: `auth refused: ${decision.reason}` };
    }
    const parsed = getJson(req.headers['content-type'], body);
    if ('reply' in parsed) return { reply: parsed.reply, note: parsed.note };
    return { reply: await method.handle({ json: parsed.json, exchange: entry }) };
  }
}

function encode(reply: Exclude<Reply, { hang: true }>): [Buffer, string] {
  if ('json' in reply) return [Buffer.from(JSON.stringify(reply.json)), 'application/json'];
  if ('bytes' in reply) return [reply.bytes, 'application/octet-stream'];
  if ('html' in reply) return [Buffer.from(reply.html), 'text/html; charset=utf-8'];
  return [Buffer.from(reply.text), 'text/plain; charset=utf-8'];
}

/** werkzeug's get_json() raises for a non-JSON type or body; the site turns it into a 500. */
function getJson(contentType: string | undefined, body: Buffer): { json: unknown } | { reply: Reply; note: string } {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!(mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json')))) {
    return { reply: INTERNAL_ERROR, note: `415 Unsupported Media Type raised: content type '${contentType ?? ''}' is not JSON` };
  }
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return { json: truthy(json) ? json : {} };
  } catch {
    return { reply: INTERNAL_ERROR, note: '400 Bad Request raised: body is not valid JSON' };
  }
}
