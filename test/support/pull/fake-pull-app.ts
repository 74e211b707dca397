import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type OutboxState = 'new' | 'handed' | 'sent' | 'error' | 'rejected';

export interface OutboxRow {
  message: Record<string, unknown>;
  state: OutboxState;
  error: string | null;
  /** how many times /fetch-messages served it */
  served: number;
}

/**
 * A pull-mode application on 127.0.0.1: its outbox serves `new` rows on GET /fetch-messages (until
 * /fetch-ack names them, or always when `acks` is false, as a legacy application that re-serves),
 * and /delivery-report marks rows sent or failed. `down` answers 503 to everything.
 */
export class FakePullApp {
  readonly outbox = new Map<string, OutboxRow>();
  readonly fetchTimes: number[] = [];
  readonly reports: Record<string, unknown>[] = [];
  readonly acks: Record<string, unknown>[] = [];
  down = false;
  /** false: /fetch-ack answers 404 (the legacy protocol had none) */
  takesAcks = true;
  /** raw bodies of the next /fetch-messages answers (200), in order, instead of the outbox */
  fetchBodies: string[] = [];
  /** status of the next /fetch-ack answers, in order (then 200) */
  ackStatuses: number[] = [];
  private server: http.Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/mail`;
  }

  add(...messages: Record<string, unknown>[]): void {
    for (const m of messages) this.outbox.set(String(m.id), { message: m, state: 'new', error: null, served: 0 });
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        const raw = req.url === '/mail/fetch-messages' && !this.down ? this.fetchBodies.shift() : undefined;
        const [status, answer] = raw === undefined ? this.answer(req.method ?? 'GET', req.url ?? '', body) : [200, null];
        if (raw !== undefined) this.fetchTimes.push(performance.now());
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(raw ?? JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private answer(method: string, url: string, body: Record<string, unknown>): [number, unknown] {
    if (url === '/mail/fetch-messages' && method === 'GET') this.fetchTimes.push(performance.now());
    if (this.down) return [503, { error: 'down for maintenance' }];
    if (url === '/mail/fetch-messages' && method === 'GET') {
      const rows = [...this.outbox.values()].filter((r) => r.state === 'new' || (!this.takesAcks && r.state === 'handed'));
      for (const r of rows) r.served += 1;
      if (!this.takesAcks) for (const r of rows) r.state = 'handed';
      return [200, { messages: rows.map((r) => r.message) }];
    }
    if (url === '/mail/fetch-ack' && method === 'POST') {
      if (!this.takesAcks) return [404, { error: 'not found' }];
      const status = this.ackStatuses.shift() ?? 200;
      if (status !== 200) return [status, { error: 'ack failed' }];
      this.acks.push(body);
      for (const id of body.accepted as string[]) this.setState(id, 'handed', null);
      for (const r of body.rejected as { id: string; reason: string }[]) this.setState(r.id, 'rejected', r.reason);
      return [200, { ok: true }];
    }
    if (url === '/mail/delivery-report' && method === 'POST') {
      this.reports.push(body);
      this.setState(String(body.id), body.status === 'sent' ? 'sent' : 'error', typeof body.error === 'string' ? body.error : null);
      return [200, { ok: true }];
    }
    return [404, { error: `no route ${method} ${url}` }];
  }

  private setState(id: string, state: OutboxState, error: string | null): void {
    const row = this.outbox.get(id);
    if (row) Object.assign(row, { state, error });
  }
}
