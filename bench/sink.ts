/**
 * Sink ingest: the relay's sandbox sink vs MailDev (started here) vs a store-nothing smtp-server,
 * same nodemailer client, same run: 4 KB messages over 4 concurrent connections.
 *
 * --messages N (default 2000) per measurement, --runs R (default 3). The client code is warmed up
 * once before the first measurement (otherwise whichever server goes first pays for the JIT), each
 * run measures the three servers in a rotated order, and the ratios reported are the medians of
 * the per-run ratios: the other servers of the same run are the yardstick, so load from elsewhere
 * on the machine cancels out as far as it can. Before each measurement the page cache is flushed:
 * MailDev leaves tens of MB of mail files unwritten, and their writeback would otherwise land on
 * whichever server is measured next (the relay's fsyncs wait for it).
 */
import { spawnSync } from 'node:child_process';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { MailDev } from 'maildev';
import { createRelay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { arg, report, tempDir } from './lib.js';

const N = arg('messages', 2000);
const RUNS = Math.max(1, arg('runs', 3));
const CONNECTIONS = 4;
const WARM_UP = 20;
const CLIENT_WARM_UP = 1000;
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70).slice(0, 4000);

async function blast(port: number, n: number): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
  });
  const send = (i: number) =>
    transport.sendMail({ from: 'bench@example.com', to: 'sink@example.com', subject: `sink bench ${i}`, text: BODY });
  // warm-up: connections open, server code paths compiled
  await Promise.all(Array.from({ length: WARM_UP }, (_, i) => send(-i)));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS * 4 }, async () => {
      while (next < n) await send(next++);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  transport.close();
  return n / seconds;
}

type Server = 'relay' | 'maildev' | 'nothing';

async function relaySink(n: number): Promise<number> {
  const config = { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: 'bench' };
  config.sink.retentionCount = n * 2;
  const relay = createRelay({ config, logger: silentLogger() });
  const { smtp } = await relay.start();
  try {
    return await blast(smtp.port, n);
  } finally {
    await relay.stop();
  }
}

async function storeNothing(n: number): Promise<number> {
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
  try {
    return await blast((server.server.address() as { port: number }).port, n);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function maildev(n: number): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const md = new MailDev({ smtp: port, web: port + 1, ip: '127.0.0.1', webIp: '127.0.0.1', disableWeb: true, silent: true } as never);
  await md.start();
  try {
    return await blast(port, n);
  } finally {
    await md.stop();
  }
}

const MEASURE: Record<Server, (n: number) => Promise<number>> = { relay: relaySink, maildev, nothing: storeNothing };
const ORDER: Server[] = ['relay', 'maildev', 'nothing'];

/** Writes back what earlier measurements left in the page cache, outside the measured time. */
async function settle(): Promise<void> {
  if (process.platform !== 'win32') spawnSync('sync');
  await new Promise((r) => setTimeout(r, 200));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  await storeNothing(CLIENT_WARM_UP);
  const runs: Record<Server, number>[] = [];
  for (let r = 0; r < RUNS; r++) {
    const result = {} as Record<Server, number>;
    for (let k = 0; k < ORDER.length; k++) {
      const server = ORDER[(r + k) % ORDER.length];
      await settle();
      result[server] = await MEASURE[server](N);
    }
    runs.push(result);
  }
  const rate = (s: Server) => Math.round(median(runs.map((r) => r[s])));
  const ratio = (a: Server, b: Server) => median(runs.map((r) => r[a] / r[b]));
  const perRun = (a: Server, b: Server) => runs.map((r) => (r[a] / r[b]).toFixed(2)).join(' ');
  report(
    `Sink ingest (${N} x 4 KB messages, ${CONNECTIONS} connections, median of ${RUNS} runs)`,
    [
      { server: 'relay sink (SQLite, FULL sync)', 'msg/s': rate('relay') },
      { server: 'MailDev 3 (files in a temp dir, no fsync)', 'msg/s': rate('maildev') },
      { server: 'smtp-server storing nothing', 'msg/s': rate('nothing') },
    ],
    {
      'relay / MailDev': `${ratio('relay', 'maildev').toFixed(2)} (goal >= 1.5; runs: ${perRun('relay', 'maildev')})`,
      'relay / store-nothing': `${ratio('relay', 'nothing').toFixed(2)} (goal >= 0.8; runs: ${perRun('relay', 'nothing')})`,
    },
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
