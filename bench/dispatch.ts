/**
 * Dispatch: drain N queued messages to a counting SMTP server, relay vs one direct SMTP connection sending the
 * same messages (goal >= 1.0x), on a quiet machine and with a CPU hog spinning in another process (`--mode
 * quiet|hog|both`, goal >= 1.2x with the hog), with each side's process CPU per message (goal <= 0.4 ms for the
 * relay); then over a slow link (+20 ms per SMTP reply, +100 ms per connect), relay vs a client that reconnects
 * for every message (goal >= 25x). `--cpu-prof FILE` writes a CPU profile of each turn.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
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
const MODE = stringArg('mode', 'both');
const CPU_PROF = stringArg('cpu-prof', '');

function stringArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Process CPU (user + system) in ms since `from`. */
function cpuMs(from?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
}

/** A child process spinning on the other core for as long as it lives. */
function startHog(): ChildProcess {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  process.once('exit', () => hog.kill('SIGKILL'));
  return hog;
}

function stopHog(hog: ChildProcess): Promise<void> {
  if (hog.exitCode !== null || hog.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    hog.once('exit', () => resolve());
    hog.kill('SIGKILL');
  });
}

function message(i: number) {
  return { from: 'bench@example.com', to: 'rcpt@example.com', subject: `dispatch ${i}`, text: BODY, messageId: `<d${i}@bench>` };
}

/** One side's turn: messages per second and process CPU ms per message. */
interface Turn {
  rate: number;
  cpuPerMsg: number;
}

/** Profiles each turn, when `--cpu-prof` names a file. */
const profiler = CPU_PROF ? new Session() : null;

interface QueuedRelay {
  relay: Relay;
  /** delivers the next `n` queued messages, then pauses; resolves with their rate (msg/s) and process CPU ms */
  drain(n: number): Promise<Turn>;
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
  // a queue that grew over time has its search index caught up and its WAL folded into the database;
  // measure that steady state, not the indexing and the checkpoint of rows written a second ago
  const db = new Database(config.dbPath);
  const caughtUp = db.prepare(
    `SELECT (SELECT indexed_seq FROM messages_search_state) >= (SELECT coalesce(MAX(seq), 0) FROM messages)
       AND NOT EXISTS (SELECT 1 FROM messages_search_dirty) AS done`,
  );
  while (!(caughtUp.get() as { done: number }).done) await new Promise((r) => setTimeout(r, 100));
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
      if (profiler) await profiler.post('Profiler.start');
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await setPaused(false);
      await done;
      const rate = n / ((performance.now() - t0) / 1000);
      const cpu = cpuMs(c0);
      if (profiler) profiles.push({ name: 'relay', profile: (await profiler.post('Profiler.stop')).profile });
      return { rate, cpuPerMsg: cpu / n };
    },
  };
}

/** Rate of the first `n` deliveries from a queue holding `queued` messages (n <= queued). */
async function relayDrain(port: number, n: number, maxConnections: number, queued = n): Promise<{ rate: number; relay: Relay }> {
  const q = await queuedRelay(port, queued, maxConnections);
  return { rate: (await q.drain(n)).rate, relay: q.relay };
}

interface DirectClient {
  /** sends `n` messages one after the other over the one connection; resolves with their rate and CPU */
  send(n: number): Promise<Turn>;
  close(): void;
}

function directOneConnection(port: number): DirectClient {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
  let i = 0;
  return {
    async send(n) {
      if (profiler) await profiler.post('Profiler.start');
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const end = i + n; i < end; i++) await t.sendMail(message(i));
      const rate = n / ((performance.now() - t0) / 1000);
      const cpu = cpuMs(c0);
      if (profiler) profiles.push({ name: 'direct', profile: (await profiler.post('Profiler.stop')).profile });
      return { rate, cpuPerMsg: cpu / n };
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

/** Profiles taken during the turns, written next to `--cpu-prof` at the end. */
const profiles: { name: string; profile: object }[] = [];

interface LocalResult {
  mode: 'quiet' | 'hog';
  relay: Turn;
  direct: Turn;
  perTurn: string;
  messages: number;
  rss: number;
}

/** Relay and direct client take turns, so that a slower moment of this shared machine hits both alike. */
async function localTurns(port: number, mode: 'quiet' | 'hog'): Promise<LocalResult> {
  const direct = directOneConnection(port);
  // sends in flight when a turn ends finish untimed: room for them in the queue
  const local = await queuedRelay(port, N + 100 * ROUNDS, 10);
  const hog = mode === 'hog' ? startHog() : null;
  const perRound = Math.floor(N / ROUNDS);
  const rounds: { relay: Turn; direct: Turn }[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const directTurn = await direct.send(perRound);
      rounds.push({ direct: directTurn, relay: await local.drain(perRound) });
    }
  } finally {
    if (hog) await stopHog(hog);
    direct.close();
  }
  const rss = process.memoryUsage().rss / 2 ** 20;
  await local.relay.stop();
  // totals: messages over the summed time (and CPU) of each side's turns
  const total = (k: 'relay' | 'direct'): Turn => ({
    rate: (perRound * ROUNDS) / rounds.reduce((t, x) => t + perRound / x[k].rate, 0),
    cpuPerMsg: rounds.reduce((t, x) => t + x[k].cpuPerMsg, 0) / ROUNDS,
  });
  const perTurn = rounds.map((x) => (x.relay.rate / x.direct.rate).toFixed(2)).join(', ');
  return { mode, relay: total('relay'), direct: total('direct'), perTurn, messages: perRound * ROUNDS, rss };
}

function localRows(results: LocalResult[]) {
  return results.flatMap((r) => [
    { run: `${r.mode}: relay drains ${r.messages} (10 pooled connections, ${ROUNDS} turns)`, 'msg/s': Math.round(r.relay.rate), 'cpu ms/msg': Number(r.relay.cpuPerMsg.toFixed(3)) },
    { run: `${r.mode}: one direct SMTP connection, ${r.messages} sequential sends`, 'msg/s': Math.round(r.direct.rate), 'cpu ms/msg': Number(r.direct.cpuPerMsg.toFixed(3)) },
  ]);
}

function localSummary(results: LocalResult[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results) {
    const goal = r.mode === 'hog' ? 1.2 : 1.0;
    out[`${r.mode}: relay / direct`] = `${(r.relay.rate / r.direct.rate).toFixed(2)} (goal >= ${goal.toFixed(1)}); per turn ${r.perTurn}`;
    out[`${r.mode}: relay cpu ms per message`] =
      `${r.relay.cpuPerMsg.toFixed(3)} (goal <= 0.4), bare client ${r.direct.cpuPerMsg.toFixed(3)}, ratio ${(r.relay.cpuPerMsg / r.direct.cpuPerMsg).toFixed(2)}`;
  }
  out.loadavg = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  return out;
}

async function writeProfiles(): Promise<void> {
  if (!profiler) return;
  fs.mkdirSync(path.dirname(path.resolve(CPU_PROF)), { recursive: true });
  const base = CPU_PROF.replace(/\.cpuprofile$/, '');
  profiles.forEach((p, i) => fs.writeFileSync(`${base}-${i + 1}-${p.name}.cpuprofile`, JSON.stringify(p.profile)));
  profiler.disconnect();
}

async function main() {
  if (!['quiet', 'hog', 'both'].includes(MODE)) throw new Error('--mode: quiet, hog or both');
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
  }
  // the SMTP peers run in their own process, as a real server would
  const target = await startPeerProcess();
  const modes = MODE === 'both' ? (['quiet', 'hog'] as const) : [MODE as 'quiet' | 'hog'];
  const results: LocalResult[] = [];
  for (const mode of modes) results.push(await localTurns(target.port, mode));
  if (process.argv.includes('--local-only')) {
    await writeProfiles();
    await target.close();
    report('Dispatch (local only)', localRows(results), localSummary(results));
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
  await writeProfiles();

  report(
    'Dispatch',
    [
      ...localRows(results),
      { run: `first ${SCALE_DRAIN} from a queue of 10,000`, 'msg/s': Math.round(smallRate) },
      { run: `first ${SCALE_DRAIN} from a queue of ${SCALE_QUEUE}`, 'msg/s': Math.round(bigRate) },
      { run: `slow link: relay drains ${SLOW_N}`, 'msg/s': Number(slowRelay.toFixed(1)) },
      { run: `slow link: reconnect per message (${SLOW_DIRECT_N})`, 'msg/s': Number(slowDirect.toFixed(2)) },
    ],
    {
      ...localSummary(results),
      [`rate at ${SCALE_QUEUE} / rate at 10,000`]: `${(bigRate / smallRate).toFixed(2)} (goal >= 0.90)`,
      'slow link relay / reconnect-per-message': `${(slowRelay / slowDirect).toFixed(1)} (goal >= 25)`,
      'rss MiB after local drain': Math.round(results[0].rss),
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
