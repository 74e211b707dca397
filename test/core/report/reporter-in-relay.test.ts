import { afterEach, describe, expect, it } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';
import { addFinal, isReported, stateOf } from '../../support/report/final-messages.js';
import { FakeUpstream } from '../../support/report/upstream.js';
import { waitFor } from '../../support/common/wait.js';

let relay: TestRelay | null = null;
let upstream: FakeUpstream | null = null;
afterEach(async () => {
  await relay?.stop();
  await upstream?.stop();
  relay = null;
  upstream = null;
});

async function start(client: { user?: string; password?: string; token?: string } = {}) {
  upstream = await new FakeUpstream().start();
  relay = await startTestRelay({
    client: { url: upstream.url, user: client.user ?? null, password: client.password ?? null, token: client.token ?? null },
  });
  return { relay, upstream, now: () => nowSec(relay!.relay.ctx.clock) };
}

describe('reporting inside a running relay', () => {
  it('syncs at start, reports after dispatch activity, and answers run-now with a sync', async () => {
    const s = await start({ user: 'mailproxy', password: 'pw' });
    await waitFor(() => s.upstream.calls.length >= 1, 'start-up sync');
    expect(s.upstream.calls[0].ids).toEqual([]);
    expect(s.upstream.calls[0].authorization).toBe(`Basic ${Buffer.from('mailproxy:pw').toString('base64')}`);

    await addFinal(s.relay.relay, ['rel-1', 'rel-2'], { state: 'sent', ts: s.now(), sandbox: true });
    s.relay.relay.ctx.bus.emit('report.wake');
    await waitFor(async () => (await isReported(s.relay.relay, 'rel-2')), 'outcomes reported after a wake');
    const call = s.upstream.calls.find((c) => c.ids.length > 0)!;
    expect(call.items.map((i) => i.sandbox)).toEqual([true, true]);

    const before = s.upstream.calls.length;
    const res = await s.relay.api('/commands/run-now', { method: 'POST' });
    expect(res.status).toBe(200);
    await waitFor(() => s.upstream.calls.length > before, 'run-now sync');
    expect(s.upstream.calls.at(-1)!.ids).toEqual([]);
    expect(s.relay.relay.reporter.status()).toMatchObject({ enabled: true, state: 'ok' });
  });

  it('suspend stops reporting and activate resumes it', async () => {
    const s = await start({ token: 'app-token' });
    await waitFor(() => s.upstream.calls.length >= 1, 'start-up sync');
    expect((await s.relay.api('/commands/suspend', { method: 'POST' })).status).toBe(200);
    const calls = s.upstream.calls.length;
    await addFinal(s.relay.relay, ['sus-1'], { state: 'error', ts: s.now() });
    s.relay.relay.ctx.bus.emit('report.wake');
    await s.relay.api('/commands/run-now', { method: 'POST' });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.upstream.calls.length).toBe(calls);
    expect(s.relay.relay.reporter.status().state).toBe('paused');

    expect((await s.relay.api('/commands/activate', { method: 'POST' })).status).toBe(200);
    await waitFor(async () => (await isReported(s.relay.relay, 'sus-1')), 'reported after activate');
    expect(s.upstream.calls.at(-1)!.authorization).toBe('Bearer app-token');
  });

  it('follows a sync URL changed through PATCH /api/settings without a restart', async () => {
    const s = await start();
    await waitFor(() => s.upstream.calls.length >= 1, 'start-up sync');
    const second = await new FakeUpstream().start();
    try {
      const res = await s.relay.api('/api/settings', { method: 'PATCH', json: { client_sync_url: second.url, client_sync_token: 'new' } });
      expect(res.status).toBe(200);
      await addFinal(s.relay.relay, ['moved'], { state: 'sent', ts: s.now() });
      s.relay.relay.ctx.bus.emit('report.wake');
      await waitFor(() => second.reportedIds().includes('moved'), 'report to the new URL');
      expect(second.calls.at(-1)!.authorization).toBe('Bearer new');
      expect(s.upstream.reportedIds()).not.toContain('moved');
    } finally {
      await second.stop();
    }
  });

  it('stays responsive while the application hangs, and shows the failing sync', async () => {
    upstream = await new FakeUpstream().start();
    upstream.defaultReply = { hang: true };
    relay = await startTestRelay({ client: { url: upstream.url, timeoutMs: 200 } });
    const r = relay;
    await addFinal(r.relay, ['stuck'], { state: 'sent', ts: nowSec(r.relay.ctx.clock) });
    await waitFor(() => r.relay.reporter.status().state === 'failing', 'failing status');
    const health = await fetch(`${r.url}/health`);
    expect(health.status).toBe(200);
    const status = r.relay.reporter.status();
    expect(status.last_error).toBe('no answer within 200 ms');
    expect(status.failing_since).not.toBeNull();
    expect(await stateOf(r.relay, 'stuck')).toBe('sent');
  });
});
