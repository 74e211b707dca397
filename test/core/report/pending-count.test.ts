import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { DEFAULT_REPORTER_TIMING } from '../../../src/core/report/sync-schedule.js';
import { TenantLoop } from '../../../src/core/report/tenant-loop.js';
import { waitFor } from '../../support/common/wait.js';

/** A reports port whose counts the test answers one by one (what is pending "now" is `pending`). */
function slowCounts() {
  const answers: (() => void)[] = [];
  const port = {
    pending: 0,
    calls: 0,
    countPending: () => {
      port.calls++;
      // the count reads what is pending when it runs
      const seen = port.pending;
      return new Promise<number>((resolve) => answers.push(() => resolve(seen)));
    },
    markReported: () => Promise.resolve(0),
  };
  const answerNext = () => answers.shift()?.();
  return { port, answerNext, waiting: () => answers.length };
}

let loops: TenantLoop[] = [];
afterEach(async () => {
  for (const l of loops) await l.stop();
  loops = [];
});

function loopOver(reports: ReturnType<typeof slowCounts>['port'], url: string | null = 'http://127.0.0.1:9/sync'): TenantLoop {
  const loop = new TenantLoop({
    tenantId: '',
    reports: { pending: () => Promise.resolve([]), markReported: reports.markReported, countPending: reports.countPending },
    target: () => (url ? { url, user: null, password: null, token: null } : null),
    intervalMs: () => 60_000,
    policy: 'lenient',
    testMode: false,
    batchSize: 100,
    timeoutMs: 5000,
    timing: DEFAULT_REPORTER_TIMING,
    clock: systemClock,
    logger: silentLogger(),
    logActivity: false,
  });
  loops.push(loop);
  return loop;
}

describe('counting pending outcomes under a storm of wakes', () => {
  it('wakes arriving while a count runs share one count started after them, and its result is shown', async () => {
    const c = slowCounts();
    const loop = loopOver(c.port);
    loop.requestSync();
    expect(c.port.calls).toBe(1);
    // outcomes of other relays' commits arrive while the first count runs: one more count covers them all
    c.port.pending = 7;
    for (let i = 0; i < 50; i++) loop.requestSync();
    expect(c.port.calls).toBe(1);
    c.answerNext();
    await waitFor(() => c.waiting() === 1, 'the second count started');
    expect(c.port.calls).toBe(2);
    c.answerNext();
    await waitFor(() => loop.view('').pending === 7, 'the count after the wakes is shown');
    expect(c.port.calls).toBe(2);
    // once idle, a wake counts again at once
    loop.requestSync();
    expect(c.port.calls).toBe(3);
    c.answerNext();
  });

  it('a wake with nowhere to sync (no destination, or paused) counts nothing: the count only spaces syncs', () => {
    const c = slowCounts();
    const loop = loopOver(c.port, null);
    for (let i = 0; i < 5; i++) loop.requestSync();
    expect(c.port.calls).toBe(0);
  });
});
