import net from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server that accepts and counts messages (the dispatch benchmarks' target). */
export async function countingSmtpServer(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 1000,
    onData(stream, _s, cb) {
      stream.on('end', () => {
        n++;
        cb();
      });
      stream.resume();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.server.address() as net.AddressInfo).port,
    count: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A TCP proxy that simulates a distant server: each connection is accepted after `connectDelayMs`, and every
 * chunk the server sends back is held `replyDelayMs` (so each SMTP reply costs a round trip).
 */
export async function delayingProxy(targetPort: number, connectDelayMs: number, replyDelayMs: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.pause();
    setTimeout(() => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), replyDelayMs));
      client.on('data', (chunk) => upstream.writable && upstream.write(chunk));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on('close', () => setTimeout(end, replyDelayMs));
      client.on('close', end);
      upstream.on('error', end);
      client.on('error', end);
      client.resume();
    }, connectDelayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Starts the counting SMTP server (behind an optional delaying proxy) in a child process. */
export async function startPeerProcess(opts: { connectDelayMs?: number; replyDelayMs?: number } = {}) {
  const { fork } = await import('node:child_process');
  const path = await import('node:path');
  const child = fork(path.join(import.meta.dirname, 'peer-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PEER_CONNECT_DELAY_MS: String(opts.connectDelayMs ?? 0), PEER_REPLY_DELAY_MS: String(opts.replyDelayMs ?? 0) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`peer process exited (${code})`)));
  });
  const ask = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { count: number }) => resolve(m.count));
      child.send({ cmd: 'count' });
    });
  return {
    port,
    count: ask,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'close' });
      }),
  };
}
