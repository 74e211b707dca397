/**
 * Captured store at scale: 100,000 captured messages (default), list and search p50/p99 through the real API.
 * Peer in the same run: the same queries with 1,000 messages.
 */
import http from 'node:http';
import { createRelay, type Relay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { arg, percentile, report, tempDir, BENCH_TOKEN } from './lib.js';

const BIG = arg('messages', 100_000);
const WORDS = ['invoice', 'order', 'shipping', 'password', 'welcome', 'newsletter', 'receipt', 'reminder', 'alert', 'report'];

async function relayWith(n: number): Promise<{ relay: Relay; url: string }> {
  const config = { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: BENCH_TOKEN };
  config.sink.retentionCount = n * 2;
  const relay = await createRelay({ config, logger: silentLogger() });
  const { url } = await relay.start();
  const now = Math.floor(Date.now() / 1000);
  for (let done = 0; done < n; done += 1000) {
    const items = Array.from({ length: Math.min(1000, n - done) }, (_, k) => {
      const i = done + k;
      const word = WORDS[i % WORDS.length];
      const raw = Buffer.from(`From: shop${i % 97}@example.com\r\nTo: user${i}@example.com\r\nSubject: Your ${word} #${i}\r\n\r\nHello user ${i}, here is your ${word}. Token t${i}x.\r\n`);
      return {
        m: {
          received_ts: now - (n - i),
          mail_from: `shop${i % 97}@example.com`,
          rcpt_to: [`user${i}@example.com`],
          from: `shop${i % 97}@example.com`,
          to: [`user${i}@example.com`],
          cc: [],
          subject: `Your ${word} #${i}`,
          date_ts: now,
          size: raw.length,
          attachments: i % 5 === 0 ? 1 : 0,
          mailbox: null,
          message_id: `<c${i}@bench>`,
          preview: `Hello user ${i}, here is your ${word}.`,
          remote_address: '127.0.0.1',
          helo: 'bench',
          tls: false,
          search_text: `Hello user ${i}, here is your ${word}. Token t${i}x.`,
        },
        raw,
      };
    });
    await relay.store.captured.insertMany(items);
  }
  return { relay, url };
}

const agent = new http.Agent({ keepAlive: true });
function get(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { 'X-API-Token': BENCH_TOKEN } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${url}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function timeQuery(url: string, runs: number) {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) t.push(await get(url));
  t.sort((a, b) => a - b);
  return { 'p50 ms': Number(percentile(t, 50).toFixed(2)), 'p99 ms': Number(percentile(t, 99).toFixed(2)) };
}

async function measure(n: number, label: string) {
  const { relay, url } = await relayWith(n);
  const page1 = (await (await fetch(`${url}/api/captured?limit=50`, { headers: { 'X-API-Token': BENCH_TOKEN } })).json()) as { next_cursor: string };
  const rows = [
    { size: label, query: 'list newest 50', ...(await timeQuery(`${url}/api/captured?limit=50`, 100)) },
    { size: label, query: 'list page 2 (cursor)', ...(await timeQuery(`${url}/api/captured?limit=50&cursor=${page1.next_cursor}`, 100)) },
    { size: label, query: 'search one word (q=invoice)', ...(await timeQuery(`${url}/api/captured?limit=50&q=invoice`, 50)) },
    { size: label, query: 'search rare token (q=t4242x)', ...(await timeQuery(`${url}/api/captured?limit=50&q=t4242x`, 50)) },
    { size: label, query: 'search from: + word', ...(await timeQuery(`${url}/api/captured?limit=50&q=${encodeURIComponent('from:shop7@example.com receipt')}`, 50)) },
    { size: label, query: 'detail (parse on demand)', ...(await timeQuery(`${url}/api/captured/${Math.floor(n / 2)}`, 50)) },
  ];
  await relay.stop();
  return rows;
}

async function main() {
  const rows = [...(await measure(1000, '1k')), ...(await measure(BIG, BIG >= 1000 ? `${BIG / 1000}k` : String(BIG)))];
  agent.destroy();
  report(`Captured store at scale (HTTP API, ${BIG} messages)`, rows);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
