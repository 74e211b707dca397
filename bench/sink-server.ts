/**
 * One SMTP server under test for bench/sink.ts, in its own process as it would run for real: the
 * relay's sink, MailDev 3 or 2, or an smtp-server that stores nothing. Started by `startSinkServer()`;
 * answers { port } once listening and exits on { cmd: 'close' } after stopping the server.
 */
import { createRequire } from 'node:module';
import { SMTPServer } from 'smtp-server';
import { createRelay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { tempDir, BENCH_TOKEN } from './lib.js';

export type SinkServerKind = 'relay' | 'maildev' | 'maildev2' | 'nothing';

/** MailDev 2.x's entry: a function that builds its mail server from a config (no type declarations ship) */
type MailDev2 = (config: Record<string, unknown>) => {
  listen(cb: (err?: Error) => void): void;
  close(cb: () => void): void;
  getAllEmail(done: (err: Error | null, mails: unknown[]) => void): void;
};

interface RunningServer {
  port: number;
  /** resolves once the work a server does after its replies (parsing, indexing, checkpoints) is done */
  settle: () => Promise<void>;
  stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(kind: SinkServerKind): Promise<RunningServer> {
  if (kind === 'relay') {
    const config = { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: BENCH_TOKEN };
    config.sink.retentionCount = Number(process.env.SINK_RETENTION ?? 100_000);
    const relay = await createRelay({ config, logger: silentLogger() });
    const { smtp } = await relay.start();
    return {
      port: smtp.port,
      settle: async () => {
        await relay.sink.flushIndexing();
        // the checkpoint and the background WAL sync follow the last commit within 100 ms each: ample time
        await sleep(1300);
      },
      stop: () => relay.stop(),
    };
  }
  if (kind === 'maildev') {
    // imported only here: the other servers' processes do not load MailDev (nor its jsdom)
    const { MailDev } = await import('maildev');
    const port = 20000 + Math.floor(Math.random() * 20000);
    // its own folder, removed at exit: MailDev's default (/tmp/maildev) keeps every message of every run
    const mailDirectory = tempDir('gmr-bench-maildev-');
    const md = new MailDev({ smtp: port, web: port + 1, ip: '127.0.0.1', webIp: '127.0.0.1', disableWeb: true, silent: true, mailDirectory } as never);
    await md.start();
    const storage = md.getServers()?.storage as { count(): Promise<number> } | undefined;
    return {
      port,
      // MailDev 3 parses and writes each message before it replies; its count should already be final,
      // this waits until it stops moving in case anything still trails
      settle: async () => {
        let last = -1;
        for (let n = await storage!.count(); n !== last; n = await storage!.count()) {
          last = n;
          await sleep(100);
        }
      },
      stop: () => md.stop(),
    };
  }
  if (kind === 'maildev2') {
    // MailDev 2 answers 250 when the data has streamed to its file and parses afterwards
    const maildev2 = createRequire(import.meta.url)('maildev2') as MailDev2;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ms = maildev2({ smtp: port, web: port + 1, ip: '127.0.0.1', disableWeb: true, silent: true, mailDirectory: tempDir('gmr-bench-maildev2-') });
    await new Promise<void>((resolve, reject) => ms.listen((err) => (err ? reject(err) : resolve())));
    const count = () => new Promise<number>((r) => ms.getAllEmail((_e, mails) => r(mails.length)));
    return {
      port,
      settle: async () => {
        let last = -1;
        for (let n = await count(); n !== last; n = await count()) {
          last = n;
          await sleep(100);
        }
      },
      stop: () => new Promise<void>((r) => ms.close(() => r())),
    };
  }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('end', () => cb());
      stream.resume();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.server.address() as { port: number }).port,
    settle: async () => undefined,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// run as the child started by startSinkServer (not when bench/sink.ts imports this module)
if (process.send && process.env.SINK_SERVER) {
  const kind = process.env.SINK_SERVER as SinkServerKind;
  const server = await start(kind);
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'cpu') {
      const c = process.cpuUsage();
      process.send!({ cpuMs: (c.user + c.system) / 1000 });
    }
    if (m.cmd === 'settle') void server.settle().then(() => process.send!({ settled: true }));
    if (m.cmd === 'close') void server.stop().finally(() => process.exit(0));
  });
  process.send({ port: server.port });
}

/** Starts a server of `kind` in a child process; resolves once it listens. */
export async function startSinkServer(kind: SinkServerKind, retention: number) {
  const { fork } = await import('node:child_process');
  const child = fork(new URL(import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, SINK_SERVER: kind, SINK_RETENTION: String(retention) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${kind} server process exited (${code})`)));
  });
  return {
    port,
    /** CPU time the server process has used so far (ms) */
    cpuMs: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { cpuMs: number }) => resolve(m.cpuMs));
        child.send({ cmd: 'cpu' });
      }),
    /** waits until the server has finished what it does in the background after its replies */
    settle: () =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ cmd: 'settle' });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'close' });
      }),
  };
}
