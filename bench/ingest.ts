/**
 * Ingest: add-messages batches of 1,000 over HTTP → messages/s; single-message submits over keep-alive → p50/p99.
 * Peers in the same run: the same batches written straight into the store (no HTTP), to show the API's overhead;
 * the HTTP batches on a second relay whose queue search indexer is off (blocks taking turns), and fresh stores
 * without the index, with the background indexer, and with round two's trigger in the accepting transaction.
 */
import http from 'node:http';
import { createRelay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { toPayload } from '../src/core/messages/normalise.js';
import { openStore, type RelayStore, type SqliteStore } from '../src/core/store/index.js';
import { HAYSTACK } from '../src/core/store/sqlite/queue-search.js';
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

  // the peer: a second relay whose queue search indexer is off; blocks of batches take turns, and between
  // blocks the indexing relay catches up untimed (so none of its backlog runs in the peer's time)
  const peerRelay = await createRelay({ config: { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: BENCH_TOKEN }, logger: silentLogger() });
  const peerUrl = (await peerRelay.start()).url;
  await peerRelay.ctx.settings.update({ paused: true });
  queueIndexOf(peerRelay.store)?.setAutomatic(false);
  await postJson(agent, `${peerUrl}/account`, BENCH_TOKEN, { id: 'bench', host: '127.0.0.1', port: 2525 });
  await postJson(agent, `${peerUrl}/commands/add-messages`, BENCH_TOKEN, { messages: Array.from({ length: 1000 }, (_, i) => message(`w-${i}`)) });
  await queueIndexOf(relay.store)?.catchUp();
  const BLOCK = 5;
  const httpSec = [0, 0];
  let lagAfterBlocks = 0;
  let catchUpSec = 0;
  for (let b = 0; b < BATCHES; b += BLOCK) {
    for (const [k, base] of [
      [0, url],
      [1, peerUrl],
    ] as const) {
      // a connection per block: one left idle while the other relay works may be closed under us
      const blockAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const t = performance.now();
      for (let j = b; j < Math.min(BATCHES, b + BLOCK); j++) {
        const r = await postJson(blockAgent, `${base}/commands/add-messages`, BENCH_TOKEN, { messages: Array.from({ length: 1000 }, (_, i) => message(`b${j}-${i}`)) });
        if (r.status !== 200) throw new Error(`add-messages answered ${r.status}: ${r.body.slice(0, 200)}`);
      }
      httpSec[k] += (performance.now() - t) / 1000;
      blockAgent.destroy();
      if (k === 0) {
        const index = queueIndexOf(relay.store);
        lagAfterBlocks += (await index?.lag())?.behind ?? 0;
        const c = performance.now();
        await index?.catchUp();
        catchUpSec += (performance.now() - c) / 1000;
      }
    }
  }
  await peerRelay.stop();
  const httpRate = (BATCHES * 1000) / httpSec[0];
  const httpPeerRate = (BATCHES * 1000) / httpSec[1];

  let t0 = performance.now();
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
      { what: 'HTTP add-messages, batches of 1,000 (queue search indexer on)', 'msg/s': Math.round(httpRate), goal: '>= 20,000' },
      { what: 'peer: the same on a relay whose indexer is off', 'msg/s': Math.round(httpPeerRate), goal: 'indexer on within 10 %' },
      { what: 'peer: store.messages.enqueue, no HTTP', 'msg/s': Math.round(storeRate), goal: '' },
      { what: 'peer: enqueue into a fresh store, no search index', 'msg/s': Math.round(index.none), goal: '' },
      { what: 'peer: the same, background indexer (enqueue time only)', 'msg/s': Math.round(index.background), goal: '' },
      { what: 'peer: the same, round two\'s index trigger in the transaction', 'msg/s': Math.round(index.trigger), goal: '' },
      { what: 'the background indexer catching up the fresh store', 'msg/s': Math.round(index.catchUpRate), goal: '' },
    ],
    {
      'HTTP, rows the indexer had not reached at block ends (sum)': lagAfterBlocks,
      'HTTP, indexer catch-up after the blocks s (sum, untimed above)': catchUpSec.toFixed(2),
      'HTTP / store ratio': (httpRate / storeRate).toFixed(2),
      'single submit keep-alive p50 ms': percentile(lat, 50).toFixed(2),
      'single submit keep-alive p99 ms': percentile(lat, 99).toFixed(2),
      'goal p50/p99': '<= 2 ms / <= 10 ms',
      'rss MiB': Math.round(rss),
    },
  );
}

function queueIndexOf(store: RelayStore): SqliteStore['queueIndex'] | null {
  return 'queueIndex' in store ? store.queueIndex : null;
}

/**
 * What the queue search index costs ingest: three fresh stores taking turns per batch: none (its indexer off,
 * its triggers dropped), the background indexer, and round two's insert trigger (indexer off). The enqueue
 * loop never yields to timers, so the background store's indexing is timed apart, catching up at the end.
 */
async function searchIndexCost(): Promise<{ none: number; background: number; trigger: number; catchUpRate: number }> {
  const none = await openStore({ path: `${tempDir()}/none.db`, queueIndexing: false });
  const background = await openStore({ path: `${tempDir()}/background.db` });
  const trigger = await openStore({ path: `${tempDir()}/trigger.db`, queueIndexing: false });
  await none.withConnection((db) => db.exec('DROP TRIGGER messages_search_delete; DROP TRIGGER messages_search_update'));
  await trigger.withConnection((db) =>
    db.exec(`CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_search (rowid, haystack) VALUES (new.seq, ${HAYSTACK.replace(/\b(id|subject|from_addr|to_addrs|error)\b/g, 'new.$1')});
    END`),
  );
  const stores = [none, background, trigger];
  const seconds = [0, 0, 0];
  for (let b = 0; b < BATCHES; b++) {
    for (let k = 0; k < 3; k++) {
      const i = (b + k) % 3;
      const payloads = Array.from({ length: 1000 }, (_, j) => toPayload(message(`i${b}-${j}`), 2));
      const t0 = performance.now();
      await stores[i].messages.enqueue(payloads, Math.floor(Date.now() / 1000));
      seconds[i] += (performance.now() - t0) / 1000;
    }
  }
  // counted by the lag: the store's own timer-driven slices join catchUp's once the loop yields
  const caught = (await background.queueIndex.lag()).behind;
  const t0 = performance.now();
  await background.queueIndex.catchUp();
  const catchUpRate = caught / ((performance.now() - t0) / 1000);
  for (const s of stores) await s.close();
  const rate = (sec: number) => (BATCHES * 1000) / sec;
  return { none: rate(seconds[0]), background: rate(seconds[1]), trigger: rate(seconds[2]), catchUpRate };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
