import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One proxy_sync call as the fake application saw it. */
export interface SyncCall {
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
  /** ids in delivery_report, in order */
  ids: string[];
  items: Record<string, unknown>[];
}

/** How the fake application answers one call. */
export type Reply =
  | { status: number; body?: string | object; contentType?: string; headers?: Record<string, string> }
  | { hang: true };

/**
 * A real HTTP "Genropy" on 127.0.0.1: records every sync, answers from a script (then the default),
 * and can be made to refuse connections by stopping and restarting on the same port.
 */
export class FakeUpstream {
  readonly calls: SyncCall[] = [];
  private script: Reply[] = [];
  defaultReply: Reply = { status: 200, body: { ok: true } };
  /** runs while the request is being answered (e.g. to change the queue meanwhile); the answer waits for it */
  onCall: ((call: SyncCall) => void | Promise<void>) | null = null;
  private server: http.Server | null = null;
  private readonly hanging = new Set<http.ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/email/mailproxy/mp_endpoint/proxy_sync`;
  }

  /** Answers the next calls with these replies, in order. */
  reply(...replies: Reply[]): void {
    this.script.push(...replies);
  }

  async start(port = 0): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        const items = ((body as { delivery_report?: Record<string, unknown>[] })?.delivery_report ?? []) as Record<string, unknown>[];
        const call: SyncCall = {
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body,
          ids: items.map((i) => String(i.id)),
          items,
        };
        this.calls.push(call);
        void Promise.resolve(this.onCall?.(call)).then(() => this.answer(res));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  private answer(res: http.ServerResponse): void {
        const reply = this.script.shift() ?? this.defaultReply;
        if ('hang' in reply) {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          'Content-Type': reply.contentType ?? (typeof reply.body === 'object' ? 'application/json' : 'text/plain'),
          ...reply.headers,
        });
        res.end(payload);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Every id reported so far, in order (with repeats). */
  reportedIds(): string[] {
    return this.calls.flatMap((c) => c.ids);
  }
}
