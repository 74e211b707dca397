import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

/** A bare SMTP client on a raw socket, for input no well-behaved client would send. */
export class SmtpWire {
  private buffer = '';
  private replies: Reply[] = [];
  private waiters: ((r: Reply | null) => void)[] = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(public socket: net.Socket | tls.TLSSocket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.listen(socket);
  }

  private listen(socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<{ wire: SmtpWire; greeting: Reply | null }> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const wire = new SmtpWire(socket);
    const greeting = await wire.read();
    return { wire, greeting };
  }

  private onData(s: string) {
    this.buffer += s;
    let idx: number;
    let lines: string[] = [];
    while ((idx = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx + 2);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines, text: lines.join('\n') };
        lines = [];
        const w = this.waiters.shift();
        if (w) w(reply);
        else this.replies.push(reply);
      }
    }
    if (lines.length) this.buffer = lines.map((l) => `${l}\r\n`).join('') + this.buffer;
  }

  /** the next reply, or null if the connection closed first */
  read(timeoutMs = 10_000): Promise<Reply | null> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
      this.waiters.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves once everything written so far has been handed to the operating system. */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.socket.write('', () => resolve()));
  }

  cmd(line: string | Buffer): Promise<Reply | null> {
    this.write(typeof line === 'string' ? `${line}\r\n` : Buffer.concat([line, Buffer.from('\r\n')]));
    return this.read();
  }

  /** After a 220 to STARTTLS: wraps the socket in TLS; resolves with the server's certificate. */
  async upgrade(): Promise<tls.PeerCertificate> {
    const plain = this.socket as net.Socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    return secure.getPeerCertificate();
  }

  destroy(): void {
    this.socket.destroy();
  }

  async quit(): Promise<void> {
    if (!this.ended) {
      this.write('QUIT\r\n');
      await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000))]);
    }
    this.socket.destroy();
  }
}
