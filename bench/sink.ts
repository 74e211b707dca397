/**
 * Sink ingest: the relay's sandbox sink vs MailDev 3 and MailDev 2 (started here) vs a store-nothing
 * smtp-server, same client, same run: 4 KB messages over 4 concurrent connections. Each server runs in
 * its own process, as it would for real. Two clients (--client nodemailer|python|both, default both),
 * each with its own warm-up and rounds: nodemailer in this process, and Python's smtplib with 4 threads
 * (bench/smtplib-client.py), a client that costs the servers' core less.
 *
 * The three servers are started together and measured in turns: --rounds R (default 10), each round
 * sends --turn N messages (default 1000) to every server in a rotated order, over connections kept
 * open for the whole run. These machines drift by tens of percent within a minute; short turns side
 * by side share that drift out evenly, and each round's ratios compare servers measured seconds apart.
 * Reported: the rate of each server over all its turns and the median of the per-round ratios.
 *
 * What is measured is the steady state of a catcher that runs all day: every server first takes
 * --warm-up messages (default 2000) untimed, so that no server is timed while its JIT still compiles
 * (the relay's process holds far more code than the store-nothing server). Before each turn every
 * server settles: the work it does after its replies is finished (the relay indexes for search and
 * checkpoints its WAL; MailDev parses and writes its files before it replies) and the page cache is
 * written back, so no server's leftovers land in another's turn.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import nodemailer, { type Transporter } from 'nodemailer';
import { arg, report } from './lib.js';
import { startSinkServer, type SinkServerKind } from './sink-server.js';

const TURN = arg('turn', 1000);
const ROUNDS = Math.max(1, arg('rounds', 10));
const WARM_UP = arg('warm-up', 2000);
const CONNECTIONS = 4;
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70).slice(0, 4000);
const CLIENT_ARG = process.argv.includes('--client') ? process.argv[process.argv.indexOf('--client') + 1] : 'both';
const CLIENTS = CLIENT_ARG === 'both' ? ['nodemailer', 'python'] : [CLIENT_ARG];

type Server = SinkServerKind;
const ORDER: Server[] = ['relay', 'maildev', 'maildev2', 'nothing'];
const LABEL: Record<Server, string> = {
  relay: 'relay sink (SQLite, WAL synced in the background)',
  maildev: 'MailDev 3 (files in a temp dir, no fsync)',
  maildev2: 'MailDev 2.2 (files in a temp dir, parses after its reply)',
  nothing: 'smtp-server storing nothing',
};

/** One SMTP client: sends n messages to a port over its connections (kept open between turns), answers seconds. */
interface Client {
  name: string;
  send(port: number, n: number): Promise<number>;
  close(): Promise<void>;
}

function nodemailerClient(): Client {
  const transports = new Map<number, Transporter>();
  const transport = (port: number) => {
    let t = transports.get(port);
    if (!t) {
      t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
      transports.set(port, t);
    }
    return t;
  };
  return {
    name: 'nodemailer (pool of 4, in the bench process)',
    // 16 in flight over the pool's 4 connections, as an application would queue them
    async send(port, n) {
      const t = transport(port);
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONNECTIONS * 4 }, async () => {
          while (next < n) {
            const i = next++;
            await t.sendMail({ from: 'bench@example.com', to: 'sink@example.com', subject: `sink bench ${i}`, text: BODY });
          }
        }),
      );
      return (performance.now() - t0) / 1000;
    },
    async close() {
      for (const t of transports.values()) t.close();
    },
  };
}

function pythonClient(): Client {
  const child = spawn('python3', [path.join(import.meta.dirname, 'smtplib-client.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  void exited.then((code) => {
    for (const w of waiting.splice(0)) w(`exit ${code}`);
  });
  return {
    name: "Python smtplib (4 threads, one connection each)",
    send: (port, n) =>
      new Promise((resolve, reject) => {
        waiting.push((line) => (Number.isFinite(Number(line)) ? resolve(Number(line)) : reject(new Error(`smtplib client: ${line}`))));
        child.stdin.write(`${port} ${n}\n`);
      }),
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

interface Peer {
  kind: Server;
  server: Awaited<ReturnType<typeof startSinkServer>>;
}

/** Every server finishes its background work and the page cache is written back, outside the measured time. */
async function settle(peers: Peer[]): Promise<void> {
  await Promise.all(peers.map((p) => p.server.settle()));
  if (process.platform !== 'win32') spawnSync('sync');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The warm-up and the rounds of one client against every server, then its table. */
async function measure(client: Client, peers: Peer[]): Promise<void> {
  // warm-up in turns too, so that every server has been through its cycle of ingest and background
  // work (the relay's indexer, run between turns, reshapes the JIT's view of shared stream code)
  for (let done = 0; done < WARM_UP; done += TURN) {
    for (const p of peers) {
      await settle(peers);
      await client.send(p.server.port, Math.min(TURN, WARM_UP - done));
    }
  }
  const seconds = Object.fromEntries(ORDER.map((k) => [k, 0])) as Record<Server, number>;
  const cpuMs = Object.fromEntries(ORDER.map((k) => [k, 0])) as Record<Server, number>;
  const rounds: Record<Server, number>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rate = {} as Record<Server, number>;
    for (let k = 0; k < peers.length; k++) {
      const p = peers[(r + k) % peers.length];
      await settle(peers);
      const cpu0 = await p.server.cpuMs();
      const s = await client.send(p.server.port, TURN);
      cpuMs[p.kind] += (await p.server.cpuMs()) - cpu0;
      seconds[p.kind] += s;
      rate[p.kind] = TURN / s;
    }
    rounds.push(rate);
  }
  const total = ROUNDS * TURN;
  const ratio = (a: Server, b: Server) => median(rounds.map((r) => r[a] / r[b]));
  const perRound = (a: Server, b: Server) => rounds.map((r) => (r[a] / r[b]).toFixed(2)).join(' ');
  report(
    `Sink ingest, client ${client.name} (${ROUNDS} turns of ${TURN} x 4 KB messages per server, ${CONNECTIONS} connections, after ${WARM_UP} untimed)`,
    ORDER.map((kind) => ({ server: LABEL[kind], 'msg/s': Math.round(total / seconds[kind]), 'server CPU ms/msg': Number((cpuMs[kind] / total).toFixed(2)) })),
    {
      'relay / MailDev 3': `${ratio('relay', 'maildev').toFixed(2)} (goal >= 1.5; median of rounds: ${perRound('relay', 'maildev')})`,
      'relay / MailDev 2': `${ratio('relay', 'maildev2').toFixed(2)} (goal >= 1.5; median of rounds: ${perRound('relay', 'maildev2')})`,
      'relay / store-nothing': `${ratio('relay', 'nothing').toFixed(2)} (goal >= 0.85; median of rounds: ${perRound('relay', 'nothing')})`,
    },
  );
}

async function main() {
  const peers: Peer[] = [];
  const retention = CLIENTS.length * (WARM_UP + ROUNDS * TURN) + 1000;
  for (const kind of ORDER) peers.push({ kind, server: await startSinkServer(kind, retention) });
  try {
    for (const name of CLIENTS) {
      const client = name === 'python' ? pythonClient() : nodemailerClient();
      try {
        await measure(client, peers);
      } finally {
        await client.close();
      }
    }
  } finally {
    for (const p of peers) await p.server.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
