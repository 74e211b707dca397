/**
 * Sink ingest: the relay's sandbox sink vs MailDev (started here) vs a store-nothing smtp-server,
 * same nodemailer client, same run: 4 KB messages over 4 concurrent connections. Each server runs in
 * its own process, as it would for real; the client runs in this one.
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
import { spawnSync } from 'node:child_process';
import nodemailer, { type Transporter } from 'nodemailer';
import { arg, report } from './lib.js';
import { startSinkServer, type SinkServerKind } from './sink-server.js';

const TURN = arg('turn', 1000);
const ROUNDS = Math.max(1, arg('rounds', 10));
const WARM_UP = arg('warm-up', 2000);
const CONNECTIONS = 4;
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70).slice(0, 4000);

type Server = SinkServerKind;
const ORDER: Server[] = ['relay', 'maildev', 'nothing'];

interface Peer {
  server: Awaited<ReturnType<typeof startSinkServer>>;
  transport: Transporter;
}

function connect(port: number): Transporter {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
  });
}

/** Sends n messages over the peer's pooled connections (16 in flight, as an application would queue them). */
async function blast(transport: Transporter, n: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS * 4 }, async () => {
      while (next < n) {
        const i = next++;
        await transport.sendMail({ from: 'bench@example.com', to: 'sink@example.com', subject: `sink bench ${i}`, text: BODY });
      }
    }),
  );
  return (performance.now() - t0) / 1000;
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

async function main() {
  const peers = {} as Record<Server, Peer>;
  for (const kind of ORDER) {
    const server = await startSinkServer(kind, WARM_UP + ROUNDS * TURN + 1000);
    peers[kind] = { server, transport: connect(server.port) };
  }
  try {
    // warm-up in turns too, so that every server has been through its cycle of ingest and background
    // work (the relay's indexer, run between turns, reshapes the JIT's view of shared stream code)
    for (let done = 0; done < WARM_UP; done += TURN) {
      for (const kind of ORDER) {
        await settle(Object.values(peers));
        await blast(peers[kind].transport, Math.min(TURN, WARM_UP - done));
      }
    }
    const seconds = { relay: 0, maildev: 0, nothing: 0 } as Record<Server, number>;
    const cpuMs = { relay: 0, maildev: 0, nothing: 0 } as Record<Server, number>;
    const rounds: Record<Server, number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const rate = {} as Record<Server, number>;
      for (let k = 0; k < ORDER.length; k++) {
        const kind = ORDER[(r + k) % ORDER.length];
        await settle(Object.values(peers));
        const cpu0 = await peers[kind].server.cpuMs();
        const s = await blast(peers[kind].transport, TURN);
        cpuMs[kind] += (await peers[kind].server.cpuMs()) - cpu0;
        seconds[kind] += s;
        rate[kind] = TURN / s;
      }
      rounds.push(rate);
    }
    const total = ROUNDS * TURN;
    const row = (kind: Server, label: string) => ({
      server: label,
      'msg/s': Math.round(total / seconds[kind]),
      'server CPU ms/msg': Number((cpuMs[kind] / total).toFixed(2)),
    });
    const ratio = (a: Server, b: Server) => median(rounds.map((r) => r[a] / r[b]));
    const perRound = (a: Server, b: Server) => rounds.map((r) => (r[a] / r[b]).toFixed(2)).join(' ');
    report(
      `Sink ingest (${ROUNDS} turns of ${TURN} x 4 KB messages per server, ${CONNECTIONS} connections, after ${WARM_UP} untimed)`,
      [
        row('relay', 'relay sink (SQLite, WAL synced in the background)'),
        row('maildev', 'MailDev 3 (files in a temp dir, no fsync)'),
        row('nothing', 'smtp-server storing nothing'),
      ],
      {
        'relay / MailDev': `${ratio('relay', 'maildev').toFixed(2)} (goal >= 1.5; median of rounds: ${perRound('relay', 'maildev')})`,
        'relay / store-nothing': `${ratio('relay', 'nothing').toFixed(2)} (goal >= 0.8; median of rounds: ${perRound('relay', 'nothing')})`,
      },
    );
  } finally {
    for (const kind of ORDER) {
      peers[kind].transport.close();
      await peers[kind].server.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
