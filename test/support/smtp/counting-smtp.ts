import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server that counts deliveries per Message-ID (optionally taking `delayMs` per message). */
export class CountingSmtpServer {
  readonly seen = new Map<string, number>();
  private server: SMTPServer | null = null;

  constructor(private readonly delayMs = 0) {}

  async listen(port = 0): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 500,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 4096) head += chunk.toString('latin1');
        });
        stream.on('end', () => {
          const id = /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1] ?? 'unknown';
          setTimeout(() => {
            this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
            callback();
          }, this.delayMs);
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = null;
    return s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
  }

  duplicates(): number {
    return [...this.seen.values()].reduce((n, c) => n + (c - 1), 0);
  }
}
