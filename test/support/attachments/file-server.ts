import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the file server answers one path. */
export type FileRoute =
  | { status?: number; body?: Buffer | string; headers?: Record<string, string>; delayMs?: number }
  | { redirect: string; status?: number }
  | { hang: true };

/**
 * A real HTTP server on a loopback address (127.0.0.1, 127.0.0.2, ::1) serving scripted paths: files,
 * statuses, redirects, answers that never come. Counts the requests per path.
 */
export class FileServer {
  private readonly routes = new Map<string, FileRoute>();
  readonly hits = new Map<string, number>();
  /** the request bodies received, in order */
  readonly bodies: { path: string; method: string; authorization?: string; body: string }[] = [];
  private open = 0;
  /** the most requests answered at once */
  maxOpen = 0;
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host = '127.0.0.1'): Promise<FileServer> {
    let self: FileServer | null = null;
    const server = http.createServer((req, res) => self?.answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    self = new FileServer(server, host, (server.address() as AddressInfo).port);
    return self;
  }

  /** The base URL, or the URL of a path. */
  url(path = ''): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}${path}`;
  }

  route(path: string, r: FileRoute): this {
    this.routes.set(path, r);
    return this;
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      this.bodies.push({ path, method: req.method ?? 'GET', authorization: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      res.on('close', () => this.open--);
      this.reply(path, res);
    });
  }

  private reply(path: string, res: http.ServerResponse): void {
    this.hits.set(path, this.hitsOf(path) + 1);
    const r = this.routes.get(path) ?? { status: 404, body: 'secret internal page', headers: { 'Content-Type': 'text/plain' } };
    if ('hang' in r) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if ('redirect' in r) {
      res.writeHead(r.status ?? 302, { Location: r.redirect });
      return void res.end();
    }
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : (r.body ?? Buffer.alloc(0));
    const send = () => {
      res.writeHead(r.status ?? 200, { 'Content-Length': body.length, ...r.headers });
      res.end(body);
    };
    if (r.delayMs) setTimeout(send, r.delayMs);
    else send();
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
