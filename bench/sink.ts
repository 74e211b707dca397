/**
 * Sink ingest: the relay's sandbox sink vs MailDev (started here) vs a store-nothing smtp-server,
 * same nodemailer client, same run: 4 KB messages over 4 concurrent connections. Each server runs in
 * its own process, as it would for real (and so that one server's leftovers, such as MailDev's file
 * writes and timers, cannot slow down the next); the client runs in this one.
 *
 * --messages N (default 4000) per measurement, --runs R (default 3). The client code is warmed up
 * once before the first measurement (otherwise whichever server goes first pays for the JIT) and every
 * server is started once untimed (its first process fills the transpile cache). Each run measures
 * the three servers in a rotated order, and the ratios reported are the medians of
 * the per-run ratios: the other servers of the same run are the yardstick, so load from elsewhere
 * on the machine cancels out as far as it can. Before each measurement the page cache is flushed:
 * MailDev leaves tens of MB of mail files unwritten, and their writeback would otherwise land on
 * whichever server is measured next (the relay's fsyncs wait for it).
 */
import { spawnSync } from 'node:child_process';
import nodemailer from 'nodemailer';
import { arg, report } from './lib.js';
import { startSinkServer, type SinkServerKind } from './sink-server.js';

const N = arg('messages', 4000);
const RUNS = Math.max(1, arg('runs', 3));
const CONNECTIONS = 4;
const WARM_UP = 20;
const CLIENT_WARM_UP = 1000;
const SERVER_WARM_UP = 200;
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

type Server = SinkServerKind;

/** Starts the server in its own process, sends `n` messages from this one, stops it. */
async function measure(kind: Server, n: number): Promise<{ rate: number; cpuPerMsg: number }> {
  const server = await startSinkServer(kind, n * 4);
  try {
    const cpu0 = await server.cpuMs();
    const rate = await blast(server.port, n);
    // includes the blast's warm-up messages and the client's connection setup on the server side
    return { rate, cpuPerMsg: ((await server.cpuMs()) - cpu0) / n };
  } finally {
    await server.close();
  }
}

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
  await measure('nothing', CLIENT_WARM_UP);
  // one untimed start of the others too: the first process of a kind fills tsx's transpile cache for
  // the modules it loads on first use, which no later run pays again
  for (const server of ORDER) if (server !== 'nothing') await measure(server, SERVER_WARM_UP);
  const runs: Record<Server, { rate: number; cpuPerMsg: number }>[] = [];
  for (let r = 0; r < RUNS; r++) {
    const result = {} as Record<Server, { rate: number; cpuPerMsg: number }>;
    for (let k = 0; k < ORDER.length; k++) {
      const server = ORDER[(r + k) % ORDER.length];
      await settle();
      result[server] = await measure(server, N);
    }
    runs.push(result);
  }
  const rate = (s: Server) => Math.round(median(runs.map((r) => r[s].rate)));
  const cpu = (s: Server) => Number(median(runs.map((r) => r[s].cpuPerMsg)).toFixed(2));
  const ratio = (a: Server, b: Server) => median(runs.map((r) => r[a].rate / r[b].rate));
  const perRun = (a: Server, b: Server) => runs.map((r) => (r[a].rate / r[b].rate).toFixed(2)).join(' ');
  report(
    `Sink ingest (${N} x 4 KB messages, ${CONNECTIONS} connections, median of ${RUNS} runs)`,
    [
      { server: 'relay sink (SQLite, WAL synced in the background)', 'msg/s': rate('relay'), 'server CPU ms/msg': cpu('relay') },
      { server: 'MailDev 3 (files in a temp dir, no fsync)', 'msg/s': rate('maildev'), 'server CPU ms/msg': cpu('maildev') },
      { server: 'smtp-server storing nothing', 'msg/s': rate('nothing'), 'server CPU ms/msg': cpu('nothing') },
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
