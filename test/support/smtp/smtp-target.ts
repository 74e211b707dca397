import { afterEach } from 'vitest';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** A message a test target received: envelope and raw bytes. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** the same message as the bytes received */
  bytes: Buffer;
  /** number of the connection it came on (1-based) */
  connection: number;
}

/** What the target answers to a message's DATA. */
export type DataReply =
  | 'accept'
  /** close the connection before answering */
  | 'drop'
  /** never answer */
  | 'hang'
  | { code: number; message: string }
  | { delayMs: number };

export interface TargetScript {
  /** reply to DATA; n is the 1-based count of DATA commands received so far */
  data?: (mail: ReceivedMail, n: number) => DataReply;
  /** reject a recipient with this reply */
  rcpt?: (address: string) => { code: number; message: string } | null;
  /** refuse a connection (greeting) with this reply; n is the 1-based connection count */
  connect?: (n: number) => { code: number; message: string } | null;
  /** require AUTH with these credentials */
  auth?: { user: string; pass: string };
  /** text after "250 " on acceptance; n counts accepted messages */
  acceptText?: (n: number) => string;
  /** extra smtp-server options (TLS tests) */
  options?: Partial<SMTPServerOptions>;
}

export interface SmtpTarget {
  host: string;
  port: number;
  /** accepted messages, in order */
  messages: ReceivedMail[];
  /** every DATA received, accepted or not */
  attempts: ReceivedMail[];
  connections(): number;
  /** open connections right now */
  openConnections(): number;
  close(): Promise<void>;
}

/** A script whose every DATA takes `delayMs`, and the most DATA commands it saw in progress at once. */
export function slowDataProbe(delayMs: number): { script: TargetScript; maxOpen: () => number } {
  let open = 0;
  let maxOpen = 0;
  return {
    script: {
      data: () => {
        open++;
        maxOpen = Math.max(maxOpen, open);
        setTimeout(() => open--, delayMs);
        return { delayMs };
      },
    },
    maxOpen: () => maxOpen,
  };
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A real SMTP server on 127.0.0.1, port 0, answering as the test scripts it. */
export async function startSmtpTarget(script: TargetScript = {}): Promise<SmtpTarget> {
  const messages: ReceivedMail[] = [];
  const attempts: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const connectionOf = new Map<string, number>();
  let connections = 0;
  let accepted = 0;
  const server = new SMTPServer({
    logger: false,
    secure: false,
    hideSTARTTLS: true,
    disabledCommands: script.auth ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    authOptional: !script.auth,
    allowInsecureAuth: true,
    closeTimeout: 100,
    ...script.options,
    onConnect(session, cb) {
      connections++;
      connectionOf.set(session.id, connections);
      const refuse = script.connect?.(connections);
      if (refuse) return cb(smtpError(refuse.code, refuse.message));
      cb();
    },
    onAuth(auth, _session, cb) {
      if (script.auth && auth.username === script.auth.user && auth.password === script.auth.pass) {
        return cb(null, { user: auth.username });
      }
      cb(smtpError(535, 'Authentication credentials invalid'));
    },
    onRcptTo(address, _session, cb) {
      const r = script.rcpt?.(address.address);
      if (r) return cb(smtpError(r.code, r.message));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      const mail: ReceivedMail = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: '',
        bytes: Buffer.alloc(0),
        connection: connectionOf.get(session.id) ?? 0,
      };
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mail.bytes = Buffer.concat(chunks);
        mail.raw = mail.bytes.toString('utf8');
        attempts.push(mail);
        const reply = script.data?.(mail, attempts.length) ?? 'accept';
        const accept = () => {
          messages.push(mail);
          accepted++;
          cb(null, script.acceptText ? script.acceptText(accepted) : `Ok: queued as ${accepted}`);
        };
        if (reply === 'accept') return accept();
        if (reply === 'hang') return;
        if (reply === 'drop') {
          for (const s of sockets) if (s.remotePort === session.remotePort) s.destroy();
          return;
        }
        if ('delayMs' in reply) {
          setTimeout(accept, reply.delayMs);
          return;
        }
        cb(smtpError(reply.code, reply.message));
      });
    },
  });
  server.on('error', () => {});
  // raw sockets are tracked (for 'drop' and a quick close) on plain servers only: destroying the TCP
  // socket under a TLS one in the middle of its handshake crashes Node 20
  if (!script.options?.secure) {
    server.server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    messages,
    attempts,
    connections: () => connections,
    openConnections: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `target(...)` for a test file: starts SMTP targets that are closed after each test. Call it before the
 * file's own afterEach (hooks run last-registered first, so the relay stops before its targets close).
 */
export function trackedTargets(): (...args: Parameters<typeof startSmtpTarget>) => Promise<SmtpTarget> {
  const started: SmtpTarget[] = [];
  afterEach(async () => {
    for (const t of started.splice(0)) await t.close();
  });
  return async (...args) => {
    const t = await startSmtpTarget(...args);
    started.push(t);
    return t;
  };
}
