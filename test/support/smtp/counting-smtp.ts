import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 that counts deliveries per Message-ID and records when it accepted each
 * (ms), optionally taking `delayMs` per message (a slow server).
 */
export class CountingSmtpServer {
  readonly seen = new Map<string, number>();
  readonly accepted: { id: string; atMs: number }[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  constructor(private readonly delayMs = 0) {}

  async listen(port = 0): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 500,
      maxClients: 500,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 4096) head += chunk.toString('latin1');
        });
        stream.on('end', () => {
          const id = /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1] ?? 'unknown';
          setTimeout(() => {
            this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
            this.accepted.push({ id, atMs: Date.now() });
            callback();
          }, this.delayMs);
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this.port;
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = null;
    return s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
  }

  /** distinct Message-IDs delivered */
  distinct(): number {
    return this.seen.size;
  }

  /** deliveries beyond the first of each Message-ID */
  duplicates(): number {
    return [...this.seen.values()].reduce((n, c) => n + (c - 1), 0);
  }
}
