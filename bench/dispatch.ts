/**
 * Dispatch: drain N queued messages to a counting SMTP server, relay vs one direct SMTP connection sending the
 * same messages (goal >= 1.0x); then over a slow link (+20 ms per SMTP reply, +100 ms per connect), relay vs a
 * client that reconnects for every message (goal >= 25x).
 */
import nodemailer from 'nodemailer';
import { createRelay, type Relay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { toPayload } from '../src/core/queue/normalise.js';
import { accountWithDefaults } from '../src/core/store/account-store.js';
import { arg, report, tempDir } from './lib.js';
import { startPeerProcess } from './smtp-peers.js';

const N = arg('messages', 20_000);
const SLOW_N = arg('slow-messages', 300);
const SLOW_DIRECT_N = arg('slow-direct-messages', 40);
const SCALE_QUEUE = arg('scale-queue', 1_000_000);
const SCALE_DRAIN = arg('scale-drain', 5000);
const BODY = 'Dispatch benchmark body line.\n'.repeat(40);

function message(i: number) {
  return { from: 'bench@example.com', to: 'rcpt@example.com', subject: `dispatch ${i}`, text: BODY, messageId: `<d${i}@bench>` };
}

/** Rate of the first `n` deliveries from a queue holding `queued` messages (n <= queued). */
async function relayDrain(port: number, n: number, maxConnections: number, queued = n): Promise<{ rate: number; relay: Relay }> {
  const config = { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: 'bench', deliveryMode: 'real' as const };
  config.delivery.maxConcurrency = maxConnections;
  config.delivery.maxPerAccount = maxConnections;
  const relay = createRelay({ config, logger: silentLogger(), settingsOverrides: { delivery_mode: 'real', paused: true } });
  await relay.start();
  relay.store.accounts.upsert(
    accountWithDefaults({ id: 'bench', host: '127.0.0.1', port, use_tls: false, max_connections: maxConnections }),
    Math.floor(Date.now() / 1000),
  );
  const now = Math.floor(Date.now() / 1000);
  for (let done = 0; done < queued; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, queued - done) }, (_, k) =>
      toPayload({ id: `m${done + k}`, account_id: 'bench', from: 'bench@example.com', to: ['rcpt@example.com'], subject: `dispatch ${done + k}`, body: BODY }, 2),
    );
    relay.store.messages.enqueueBatch(batch, now);
  }
  // a queue that grew over time has its WAL folded into the database; measure that steady state, not
  // the checkpoint of a million rows written a second ago
  relay.store.db.pragma('wal_checkpoint(TRUNCATE)');
  let sent = 0;
  const finished = new Promise<void>((resolve) => {
    relay.ctx.bus.on('attempt', (a) => {
      if (a.outcome === 'sent' && ++sent === n) {
        relay.ctx.settings.update({ paused: true });
        resolve();
      }
    });
  });
  const t0 = performance.now();
  relay.ctx.settings.update({ paused: false });
  await finished;
  const rate = n / ((performance.now() - t0) / 1000);
  return { rate, relay };
}

async function directOneConnection(port: number, n: number): Promise<number> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await t.sendMail(message(i));
  const rate = n / ((performance.now() - t0) / 1000);
  t.close();
  return rate;
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
  const direct = await directOneConnection(target.port, N);
  const { rate: relayRate, relay } = await relayDrain(target.port, N, 10);
  const rss = process.memoryUsage().rss / 2 ** 20;
  await relay.stop();
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
      { run: `local: relay drains ${N} (10 pooled connections)`, 'msg/s': Math.round(relayRate) },
      { run: `local: one direct SMTP connection, ${N} sequential sends`, 'msg/s': Math.round(direct) },
      { run: `first ${SCALE_DRAIN} from a queue of 10,000`, 'msg/s': Math.round(smallRate) },
      { run: `first ${SCALE_DRAIN} from a queue of ${SCALE_QUEUE}`, 'msg/s': Math.round(bigRate) },
      { run: `slow link: relay drains ${SLOW_N}`, 'msg/s': Number(slowRelay.toFixed(1)) },
      { run: `slow link: reconnect per message (${SLOW_DIRECT_N})`, 'msg/s': Number(slowDirect.toFixed(2)) },
    ],
    {
      'local relay / direct': `${(relayRate / direct).toFixed(2)} (goal >= 1.0)`,
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
