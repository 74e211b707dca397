/**
 * Scale: the queue with N (default 1,000,000) messages: paginated list p50 (goal <= 20 ms), filtered lists,
 * stats, and the cost of selecting due work. Peer in the same run: the same queries at 10,000 messages.
 */
import { openSyncStore as openStore, type SyncStore as Store } from '../src/core/store/index.js';
import { toPayload } from '../src/core/messages/normalise.js';
import { arg, percentile, report, tempDir } from './lib.js';

const BIG = arg('messages', 1_000_000);
const SMALL = 10_000;

function fill(store: Store, n: number): void {
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
    store.messages.enqueueBatch(batch, now);
  }
}

function time(fn: () => unknown, runs: number): { p50: number; p99: number } {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p99: percentile(t, 99) };
}

function measure(store: Store, label: string) {
  const rows = [];
  const firstPage = store.messages.list({ limit: 50 });
  let cursor = firstPage.next_cursor ?? undefined;
  rows.push({ size: label, query: 'list newest, limit 50', ...round(time(() => store.messages.list({ limit: 50 }), 200)) });
  rows.push({
    size: label,
    query: 'list page 2 (cursor)',
    ...round(time(() => store.messages.list({ limit: 50, cursor }), 200)),
  });
  rows.push({ size: label, query: 'list state=deferred', ...round(time(() => store.messages.list({ limit: 50, state: 'deferred' }), 100)) });
  rows.push({ size: label, query: 'list account=acc-c', ...round(time(() => store.messages.list({ limit: 50, account_id: 'acc-c' }), 100)) });
  rows.push({ size: label, query: 'search q=user4242', ...round(time(() => store.messages.list({ limit: 50, q: 'user4242@' }), 5)) });
  rows.push({ size: label, query: 'counts by state', ...round(time(() => store.messages.countByState(), 5)) });
  // the dispatcher's own statements: a claim of 100 due rows (rolled back, so every run sees the same queue)
  const now = Math.floor(Date.now() / 1000);
  const claim = store.db.transaction(() => {
    store.dispatch.claimDue({ now, leaseUntil: now + 60, limit: 100 });
    throw new Rollback();
  });
  rows.push({
    size: label,
    query: 'claim 100 due (priority, FIFO)',
    ...round(
      time(() => {
        try {
          claim();
        } catch (e) {
          if (!(e instanceof Rollback)) throw e;
        }
      }, 100),
    ),
  });
  rows.push({ size: label, query: 'next due time', ...round(time(() => store.dispatch.nextDueTs(), 200)) });
  cursor = undefined;
  return rows;
}

class Rollback extends Error {}

function round(r: { p50: number; p99: number }) {
  return { 'p50 ms': Number(r.p50.toFixed(3)), 'p99 ms': Number(r.p99.toFixed(3)) };
}

function main() {
  const small = openStore({ path: `${tempDir()}/small.db` });
  fill(small, SMALL);
  const big = openStore({ path: `${tempDir()}/big.db` });
  const t0 = performance.now();
  fill(big, BIG);
  const fillSeconds = (performance.now() - t0) / 1000;
  const rows = [...measure(small, '10k'), ...measure(big, BIG >= 1e6 ? `${BIG / 1e6}M` : String(BIG))];
  small.close();
  big.close();
  report('Queue at scale (store queries, WAL, synchronous=FULL)', rows, {
    [`fill ${BIG} msgs (batches of 10,000)`]: `${fillSeconds.toFixed(1)} s = ${Math.round(BIG / fillSeconds)} msg/s`,
    goal: 'paginated list p50 <= 20 ms at 1M',
  });
}

main();
