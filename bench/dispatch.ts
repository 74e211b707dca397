/**
 * Dispatch: drain N queued messages to a counting SMTP server, relay vs one direct SMTP connection sending the
 * same messages (goal >= 1.0x); then over a slow link (+20 ms per SMTP reply, +100 ms per connect), relay vs a
 * client that reconnects for every message (goal >= 25x).
 */
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { createRelay, type Relay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { toPayload } from '../src/core/messages/normalise.js';
import { accountWithDefaults } from '../src/core/store/records.js';
import { arg, report, tempDir, BENCH_TOKEN } from './lib.js';
import { startPeerProcess } from './smtp-peers.js';

const N = arg('messages', 20_000);
const ROUNDS = arg('turns', 4);
const SLOW_N = arg('slow-messages', 300);
const SLOW_DIRECT_N = arg('slow-direct-messages', 40);
const SCALE_QUEUE = arg('scale-queue', 1_000_000);
const SCALE_DRAIN = arg('scale-drain', 5000);
const BODY = 'Dispatch benchmark body line.\n'.repeat(40);

function message(i: number) {
  return { from: 'bench@example.com', to: 'rcpt@example.com', subject: `dispatch ${i}`, text: BODY, messageId: `<d${i}@bench>` };
}

interface QueuedRelay {
  relay: Relay;
  /** delivers the next `n` queued messages, then pauses; resolves with their rate (msg/s) */
  drain(n: number): Promise<number>;
}

/** A relay with `queued` messages for a local account, paused until `drain` is called. */
async function queuedRelay(port: number, queued: number, maxConnections: number): Promise<QueuedRelay> {
  const config = { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: BENCH_TOKEN, deliveryMode: 'real' as const };
  config.delivery.maxConcurrency = maxConnections;
  config.delivery.maxPerAccount = maxConnections;
  const relay = await createRelay({ config, logger: silentLogger(), settingsOverrides: { delivery_mode: 'real', paused: true } });
  await relay.start();
  await relay.store.accounts.upsert(
    accountWithDefaults({ id: 'bench', host: '127.0.0.1', port, use_tls: false, max_connections: maxConnections }),
    Math.floor(Date.now() / 1000),
  );
  const now = Math.floor(Date.now() / 1000);
  for (let done = 0; done < queued; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, queued - done) }, (_, k) =>
      toPayload({ id: `m${done + k}`, account_id: 'bench', from: 'bench@example.com', to: ['rcpt@example.com'], subject: `dispatch ${done + k}`, body: BODY }, 2),
    );
    await relay.store.messages.enqueue(batch, now);
  }
  // a queue that grew over time has its WAL folded into the database; measure that steady state, not
  // the checkpoint of a million rows written a second ago
  const db = new Database(config.dbPath);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const setPaused = async (paused: boolean) => {
    await relay.ctx.settings.update({ paused });
  };
  let sent = 0;
  let waiter: { target: number; resolve: () => void } | null = null;
  relay.ctx.bus.on('attempt', (a) => {
    if (a.outcome !== 'sent') return;
    sent++;
    if (waiter && sent >= waiter.target) {
      setPaused(true).catch((err) => console.error(err));
      waiter.resolve();
      waiter = null;
    }
  });
  const idle = async () => {
    while (relay.dispatcher.inFlight() > 0) await new Promise((r) => setTimeout(r, 5));
  };
  return {
    relay,
    async drain(n) {
      // sends still running from the previous drain finish first, untimed
      await idle();
      const done = new Promise<void>((resolve) => (waiter = { target: sent + n, resolve }));
      const t0 = performance.now();
      await setPaused(false);
      await done;
      return n / ((performance.now() - t0) / 1000);
    },
  };
}

/** Rate of the first `n` deliveries from a queue holding `queued` messages (n <= queued). */
async function relayDrain(port: number, n: number, maxConnections: number, queued = n): Promise<{ rate: number; relay: Relay }> {
  const q = await queuedRelay(port, queued, maxConnections);
  return { rate: await q.drain(n), relay: q.relay };
}

interface DirectClient {
  /** sends `n` messages one after the other over the one connection; resolves with their rate */
  send(n: number): Promise<number>;
  close(): void;
}

function directOneConnection(port: number): DirectClient {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
  let i = 0;
  return {
    async send(n) {
      const t0 = performance.now();
      for (const end = i + n; i < end; i++) await t.sendMail(message(i));
      return n / ((performance.now() - t0) / 1000);
    },
    close: () => t.close(),
  };
}

async function reconnectPerMessage(port: number, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await t.sendMail(message(i));
    t.close();
  }
  return n / ((performance.now() - t0) / 1000);
}

async function main() {
  // the SMTP peers run in their own process, as a real server would
  const target = await startPeerProcess();
  // relay and direct client take turns, so that a slower moment of this shared machine hits both alike
  const direct = directOneConnection(target.port);
  // sends in flight when a turn ends finish untimed: room for them in the queue
  const local = await queuedRelay(target.port, N + 100 * ROUNDS, 10);
  const perRound = Math.floor(N / ROUNDS);
  const rounds: { relay: number; direct: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const directRate = await direct.send(perRound);
    rounds.push({ direct: directRate, relay: await local.drain(perRound) });
  }
  direct.close();
  // totals: messages over the summed time of each side's turns
  const total = (k: 'relay' | 'direct') => (perRound * ROUNDS) / rounds.reduce((t, x) => t + perRound / x[k], 0);
  const relayRate = total('relay');
  const directRate = total('direct');
  const rss = process.memoryUsage().rss / 2 ** 20;
  await local.relay.stop();
  if (process.argv.includes('--local-only')) {
    await target.close();
    report('Dispatch (local only)', [
      { run: 'relay, 10 pooled connections', 'msg/s': Math.round(relayRate) },
      { run: 'one direct SMTP connection', 'msg/s': Math.round(directRate) },
    ], { 'local relay / direct': `${(relayRate / directRate).toFixed(2)}; per turn ${rounds.map((x) => (x.relay / x.direct).toFixed(2)).join(', ')}` });
    return;
  }
  // the same drain from a small queue and from a queue of a million: selection must not slow down
  const { rate: smallRate, relay: small } = await relayDrain(target.port, SCALE_DRAIN, 10, 10_000);
  await small.stop();
  const { rate: bigRate, relay: big } = await relayDrain(target.port, SCALE_DRAIN, 10, SCALE_QUEUE);
  await big.stop();
  await target.close();

  const slowLink = await startPeerProcess({ connectDelayMs: 100, replyDelayMs: 20 });
  const slowDirect = await reconnectPerMessage(slowLink.port, SLOW_DIRECT_N);
  const { rate: slowRelay, relay: slow } = await relayDrain(slowLink.port, SLOW_N, 10);
  await slow.stop();
  await slowLink.close();

  report(
    'Dispatch',
    [
      { run: `local: relay drains ${perRound * ROUNDS} (10 pooled connections, ${ROUNDS} turns)`, 'msg/s': Math.round(relayRate) },
      { run: `local: one direct SMTP connection, ${perRound * ROUNDS} sequential sends (${ROUNDS} turns)`, 'msg/s': Math.round(directRate) },
      { run: `first ${SCALE_DRAIN} from a queue of 10,000`, 'msg/s': Math.round(smallRate) },
      { run: `first ${SCALE_DRAIN} from a queue of ${SCALE_QUEUE}`, 'msg/s': Math.round(bigRate) },
      { run: `slow link: relay drains ${SLOW_N}`, 'msg/s': Number(slowRelay.toFixed(1)) },
      { run: `slow link: reconnect per message (${SLOW_DIRECT_N})`, 'msg/s': Number(slowDirect.toFixed(2)) },
    ],
    {
      'local relay / direct': `${(relayRate / directRate).toFixed(2)} (goal >= 1.0); per turn ${rounds.map((x) => (x.relay / x.direct).toFixed(2)).join(', ')}`,
      [`rate at ${SCALE_QUEUE} / rate at 10,000`]: `${(bigRate / smallRate).toFixed(2)} (goal >= 0.90)`,
      'slow link relay / reconnect-per-message': `${(slowRelay / slowDirect).toFixed(1)} (goal >= 25)`,
      'rss MiB after local drain': Math.round(rss),
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
