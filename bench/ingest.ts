/**
 * Ingest: add-messages batches of 1,000 over HTTP → messages/s; single-message submits over keep-alive → p50/p99.
 * Peer in the same run: the same batches written straight into the store (no HTTP), to show the API's overhead.
 */
import http from 'node:http';
import { createRelay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { toPayload } from '../src/core/messages/normalise.js';
import { openStore } from '../src/core/store/index.js';
import { arg, percentile, postJson, report, tempDir, BENCH_TOKEN } from './lib.js';

const BATCHES = arg('batches', 50);
const SINGLES = arg('singles', 3000);

const message = (id: string) => ({
  id,
  account_id: 'bench',
  from: 'Sender <sender@example.com>',
  to: ['rcpt@example.com'],
  subject: `Bench message ${id}`,
  body: 'Hello from the ingest benchmark. '.repeat(8),
  priority: 2,
});

async function main() {
  const dataDir = tempDir();
  const config = { ...defaultConfig(dataDir), port: 0, smtpPort: 0, apiToken: BENCH_TOKEN };
  const relay = await createRelay({ config, logger: silentLogger() });
  const { url } = await relay.start();
  await relay.ctx.settings.update({ paused: true }); // measure ingest alone
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await postJson(agent, `${url}/account`, BENCH_TOKEN, { id: 'bench', host: '127.0.0.1', port: 2525 });

  // warm-up
  await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages: Array.from({ length: 1000 }, (_, i) => message(`w-${i}`)) });

  let t0 = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const r = await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages: Array.from({ length: 1000 }, (_, i) => message(`b${b}-${i}`)) });
    if (r.status !== 200) throw new Error(`add-messages answered ${r.status}: ${r.body.slice(0, 200)}`);
  }
  const httpSeconds = (performance.now() - t0) / 1000;
  const httpRate = (BATCHES * 1000) / httpSeconds;

  t0 = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const payloads = Array.from({ length: 1000 }, (_, i) => toPayload(message(`s${b}-${i}`), 2));
    await relay.store.messages.enqueue(payloads, Math.floor(Date.now() / 1000));
  }
  const storeRate = (BATCHES * 1000) / ((performance.now() - t0) / 1000);
  const index = await searchIndexCost();

  const lat: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const r = await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages: [message(`one-${i}`)] });
    if (r.status !== 200) throw new Error(`single submit answered ${r.status}`);
    lat.push(r.ms);
  }
  lat.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss / 2 ** 20;
  await relay.stop();
  agent.destroy();

  report(
    'Ingest (add-messages, synchronous=FULL, one transaction per batch)',
    [
      { what: 'HTTP add-messages, batches of 1,000', 'msg/s': Math.round(httpRate), goal: '>= 20,000' },
      { what: 'peer: store.messages.enqueue, no HTTP', 'msg/s': Math.round(storeRate), goal: '' },
      { what: 'peer: enqueue into a fresh store, queue search index kept', 'msg/s': Math.round(index.withIndex), goal: '' },
      { what: 'peer: the same, its insert trigger dropped (no index)', 'msg/s': Math.round(index.without), goal: '' },
    ],
    {
      'HTTP / store ratio': (httpRate / storeRate).toFixed(2),
      'single submit keep-alive p50 ms': percentile(lat, 50).toFixed(2),
      'single submit keep-alive p99 ms': percentile(lat, 99).toFixed(2),
      'goal p50/p99': '<= 2 ms / <= 10 ms',
      'rss MiB': Math.round(rss),
    },
  );
}

/** What the queue search index (migration 010) costs ingest: two fresh stores, one without its insert trigger, taking turns per batch. */
async function searchIndexCost(): Promise<{ withIndex: number; without: number }> {
  const kept = await openStore({ path: `${tempDir()}/kept.db` });
  const dropped = await openStore({ path: `${tempDir()}/dropped.db` });
  await dropped.withConnection((db) => db.exec('DROP TRIGGER messages_search_insert'));
  const seconds = [0, 0];
  for (let b = 0; b < BATCHES; b++) {
    for (const store of b % 2 ? [kept, dropped] : [dropped, kept]) {
      const payloads = Array.from({ length: 1000 }, (_, i) => toPayload(message(`i${b}-${i}`), 2));
      const t0 = performance.now();
      await store.messages.enqueue(payloads, Math.floor(Date.now() / 1000));
      seconds[store === kept ? 0 : 1] += (performance.now() - t0) / 1000;
    }
  }
  await kept.close();
  await dropped.close();
  return { withIndex: (BATCHES * 1000) / seconds[0], without: (BATCHES * 1000) / seconds[1] };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
