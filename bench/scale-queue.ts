/**
 * Scale: the queue with N (default 1,000,000) messages: paginated list p50 (goal <= 20 ms), filtered lists,
 * the `q=` search (goal p50 <= 20 ms) from the trigram index once the background indexer caught up (timed) and, in the same run, by the substring scan
 * it replaced, stats, and the cost of selecting due work. Peer in the same run: the same queries at 10,000.
 */
import { openStore, type SqliteStore as Store } from '../src/core/store/index.js';
import { toPayload } from '../src/core/messages/normalise.js';
import { likePattern } from '../src/core/store/sqlite/queue-search.js';
import { QUEUE_INDEXING } from '../src/core/store/sqlite/queue-indexer.js';
import { arg, percentile, report, tempDir } from './lib.js';

const BIG = arg('messages', 1_000_000);
const SMALL = 10_000;

async function fill(store: Store, n: number): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const accounts = ['acc-a', 'acc-b', 'acc-c', 'acc-d'];
  for (let done = 0; done < n; done += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, n - done) }, (_, i) => {
      const k = done + i;
      return toPayload(
        {
          id: `msg-${k}`,
          account_id: accounts[k % 4],
          from: 'sender@example.com',
          to: [`user${k}@example.com`],
          subject: `Order ${k} confirmation`,
          body: 'x',
          priority: k % 4,
          deferred_ts: k % 10 === 0 ? now + 3600 : undefined,
        },
        2,
      );
    });
    await store.messages.enqueue(batch, now);
  }
}

async function time(fn: () => Promise<unknown>, runs: number): Promise<{ p50: number; p95: number; p99: number }> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p95: percentile(t, 95), p99: percentile(t, 99) };
}

async function measure(store: Store, label: string) {
  const rows = [];
  const firstPage = await store.messages.list({ limit: 50 });
  const cursor = firstPage.next_cursor ?? undefined;
  rows.push({ size: label, query: 'list newest, limit 50', ...round(await time(() => store.messages.list({ limit: 50 }), 200)) });
  rows.push({
    size: label,
    query: 'list page 2 (cursor)',
    ...round(await time(() => store.messages.list({ limit: 50, cursor }), 200)),
  });
  rows.push({ size: label, query: 'list state=deferred', ...round(await time(() => store.messages.list({ limit: 50, state: 'deferred' }), 100)) });
  rows.push({ size: label, query: 'list account=acc-c', ...round(await time(() => store.messages.list({ limit: 50, account_id: 'acc-c' }), 100)) });
  rows.push(...(await searches(store, label)));
  rows.push({ size: label, query: 'counts by state', ...round(await time(() => store.messages.countByState(), 5)) });
  // the dispatcher's own statements: a claim of 100 due rows (rolled back, so every run sees the same queue)
  const now = Math.floor(Date.now() / 1000);
  const claim = () =>
    store
      .transaction(async (tx) => {
        await tx.dispatch.claim({ now, leaseUntil: now + 60, limit: 100 });
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  rows.push({ size: label, query: 'claim 100 due (priority, FIFO)', ...round(await time(claim, 100)) });
  rows.push({ size: label, query: 'next due time', ...round(await time(() => store.dispatch.nextDueTs(), 200)) });
  return rows;
}

class Rollback extends Error {}

function round(r: { p50: number; p95: number; p99: number }) {
  return { 'p50 ms': Number(r.p50.toFixed(3)), 'p95 ms': Number(r.p95.toFixed(3)), 'p99 ms': Number(r.p99.toFixed(3)) };
}

/** what users type: one address (1 match), a word in every row, a prefix of ~1,000 subjects, nothing, two characters */
const SEARCHES = ['user4242@', 'confirmation', 'Order 12', 'no-such-text', 'r4'];

/** The substring scan `q=` ran before the trigram index (migration 010), run on the same database. */
function scanSearch(store: Store, q: string) {
  return store.withConnection((db) =>
    db
      .prepare(
        `SELECT seq, id FROM messages WHERE (id LIKE @q ESCAPE '\\' OR subject LIKE @q ESCAPE '\\' OR from_addr LIKE @q ESCAPE '\\'
           OR to_addrs LIKE @q ESCAPE '\\' OR error LIKE @q ESCAPE '\\') ORDER BY seq DESC LIMIT 51`,
      )
      .all({ q: likePattern(q) }),
  );
}

/** `q=` over the index (the store's list) and by the old scan, taking turns, 20 runs each (5 for a scan at 1M) */
async function searches(store: Store, label: string) {
  const rows = [];
  const scanRuns = label === '10k' ? 20 : 5;
  for (const q of SEARCHES) {
    const found = (await store.messages.list({ limit: 50, q })).items.length;
    rows.push({ size: label, query: `q=${q} (${found} on page 1): index`, ...round(await time(() => store.messages.list({ limit: 50, q }), 20)) });
    rows.push({ size: label, query: `q=${q}: scan (before)`, ...round(await time(() => scanSearch(store, q), scanRuns)) });
  }
  const page1 = await store.messages.list({ limit: 50, q: 'confirmation' });
  const cursor = page1.next_cursor ?? undefined;
  rows.push({ size: label, query: 'q=confirmation page 2 (cursor): index', ...round(await time(() => store.messages.list({ limit: 50, q: 'confirmation', cursor }), 20)) });
  return rows;
}

async function main() {
  const small = await openStore({ path: `${tempDir()}/small.db` });
  await fill(small, SMALL);
  const big = await openStore({ path: `${tempDir()}/big.db` });
  const t0 = performance.now();
  await fill(big, BIG);
  const fillSeconds = (performance.now() - t0) / 1000;
  // the fill never yields to timers: the whole queue is still beyond the indexer's marker, searched by scan
  const behind = (await big.queueIndex.lag()).behind;
  const unindexed = round(await time(() => big.messages.list({ limit: 50, q: 'user4242@' }), 3));
  const t1 = performance.now();
  await big.queueIndex.catchUp();
  const caught = behind;
  const catchUpSeconds = (performance.now() - t1) / 1000;
  await small.queueIndex.catchUp();
  const rows = [...(await measure(small, '10k')), ...(await measure(big, BIG >= 1e6 ? `${BIG / 1e6}M` : String(BIG)))];
  await small.close();
  await big.close();
  report('Queue at scale (store queries, WAL, synchronous=FULL)', rows, {
    [`fill ${BIG} msgs (batches of 10,000)`]: `${fillSeconds.toFixed(1)} s = ${Math.round(BIG / fillSeconds)} msg/s`,
    goal: 'paginated list p50 <= 20 ms at 1M',
    [`q=user4242@ with ${behind} rows not indexed yet (p50 ms)`]: unindexed['p50 ms'],
    [`indexer catch-up of ${caught} rows (slices of ${QUEUE_INDEXING.sliceMs} ms)`]: `${catchUpSeconds.toFixed(1)} s = ${Math.round(caught / catchUpSeconds)} rows/s`,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
