import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSec } from '../../../../src/core/clock.js';
import type { MessagePayload } from '../../../../src/core/messages/types.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { capturedFixture } from '../../../support/captured/captured-fixture.js';
import { waitFor } from '../../../support/common/wait.js';
import { readEventStream } from '../../../support/api/event-stream.js';

function payload(id: string): MessagePayload {
  return { id, from: 'app@example.com', to: ['user@example.org'], subject: `s ${id}`, body: 'b', content_type: 'plain', priority: 2 };
}

describe('GET /api/events (SSE)', () => {
  let t: TestRelay;
  /** listeners of other components; the stream's own come and go with its clients */
  let idle: number;
  const hubDetached = () => waitFor(() => t.relay.ctx.bus.listenerCount('captured.removed') === idle, 'hub detached');
  beforeAll(async () => {
    // dispatch paused: the stream then carries exactly what the tests cause
    t = await startTestRelay({}, { settingsOverrides: { paused: true } });
    idle = t.relay.ctx.bus.listenerCount('captured.removed');
  });
  afterAll(async () => {
    await t.stop();
  });
  /** straight into the queue: the store announces the rows after its commit */
  const enqueue = (payloads: MessagePayload[]) => t.relay.store.messages.enqueue(payloads, nowSec(t.relay.ctx.clock));

  it('refuses a missing, wrong or ?token= token and accepts the header', async () => {
    const none = await fetch(`${t.url}/api/events`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${t.url}/api/events`, { headers: { 'X-API-Token': 'nope' } });
    expect(wrong.status).toBe(401);
    // the token never travels in a URL (logs, history, Referer)
    const query = await fetch(`${t.url}/api/events?token=${t.token}`);
    expect(query.status).toBe(401);
    const byHeader = readEventStream(`${t.url}/api/events`, { Authorization: `Bearer ${t.token}` });
    await waitFor(() => byHeader.of('stats').length > 0, 'stats on connect');
    expect(byHeader.status()).toBe(200);
    expect(byHeader.contentType()).toMatch(/^text\/event-stream/);
    byHeader.close();
    await hubDetached();
  });

  it('streams stats, captured mail, message transitions, settings and deletions', async () => {
    const bus = t.relay.ctx.bus;
    const baseline = bus.listenerCount('messages');
    const s = readEventStream(`${t.url}/api/events`, { 'X-API-Token': t.token });
    const first = (await waitFor(() => s.of('stats')[0], 'initial stats')) as { counts: Record<string, number>; captured: { total: number } };
    expect(first.counts).toMatchObject({ queued: 0, sent: 0 });
    expect(bus.listenerCount('messages')).toBe(baseline + 1);

    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
    const info = await smtp.sendMail({ from: 'app@example.com', to: 'user@example.org', subject: 'live', text: 'x' });
    smtp.close();
    const capturedId = Number(/captured as (\d+)/.exec(info.response)![1]);
    const captured = (await waitFor(() => s.of('captured').find((d) => (d as { id: number }).id === capturedId), 'captured frame')) as Record<string, unknown>;
    expect(captured).toMatchObject({ subject: 'live', from: 'app@example.com', to: ['user@example.org'] });

    await enqueue([payload('sse-1'), payload('sse-2')]);
    const batch = (await waitFor(() => s.of('messages').find((d) => Array.isArray(d) && d.length === 2), 'messages frame')) as {
      message_id: string;
      type: string;
      state: string;
    }[];
    expect(batch.map((e) => [e.message_id, e.type, e.state])).toEqual([
      ['sse-1', 'queued', 'queued'],
      ['sse-2', 'queued', 'queued'],
    ]);

    await waitFor(
      () => s.of('stats').some((d) => (d as { counts: { queued: number } }).counts.queued === 2 && (d as { captured: { total: number } }).captured.total >= 1),
      'stats after activity',
    );

    await t.relay.ctx.settings.update({ sink_retention_count: 1234 });
    await waitFor(() => s.of('settings').some((d) => (d as { sink_retention_count: number }).sink_retention_count === 1234), 'settings frame');
    expect(JSON.stringify(s.of('settings'))).not.toContain('client_sync_password"');

    expect((await t.api(`/api/captured/${capturedId}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor(() => s.of('captured').some((d) => JSON.stringify(d) === JSON.stringify({ type: 'deleted', ids: [capturedId] })), 'deletion frame');
    expect((await t.api('/api/captured', { method: 'DELETE' })).status).toBe(200);
    await waitFor(() => s.of('captured').some((d) => (d as { type?: string }).type === 'cleared'), 'cleared frame');

    s.close();
    await waitFor(() => bus.listenerCount('messages') === baseline, 'listeners removed after disconnect');
    expect(bus.listenerCount('captured.removed')).toBe(idle);
  });

  it('coalesces a burst instead of streaming thousands of rows', async () => {
    const s = readEventStream(`${t.url}/api/events`, { 'X-API-Token': t.token });
    await waitFor(() => s.of('stats').length > 0, 'connected');
    const before = s.frames.length;
    await enqueue(Array.from({ length: 3000 }, (_, i) => payload(`burst-${i}`)));
    const summary = (await waitFor(() => s.of('messages').find((d) => !Array.isArray(d)), 'coalesced frame')) as {
      coalesced: boolean;
      count: number;
      states: Record<string, number>;
    };
    expect(summary).toEqual({ coalesced: true, count: 3000, states: { queued: 3000 } });
    await waitFor(() => s.of('stats').some((d) => (d as { counts: { queued: number } }).counts.queued >= 3000), 'stats after burst');
    const messageFrames = s.frames.slice(before).filter((f) => f.event === 'messages');
    expect(messageFrames).toHaveLength(1);
    expect(s.frames.length - before).toBeLessThan(10);
    s.close();
    await hubDetached();
  });

  it('batches the removals of a large retention prune', async () => {
    const store = t.relay.store.captured;
    await store.deleteAll();
    await store.insertMany(Array.from({ length: 1500 }, (_, i) => ({ m: capturedFixture(i, { subject: `bulk ${i}`, size: 1, search_text: '' }), raw: Buffer.from('x') })));
    const s = readEventStream(`${t.url}/api/events`, { 'X-API-Token': t.token });
    await waitFor(() => s.of('stats').length > 0, 'connected');
    await t.relay.ctx.settings.update({ sink_retention_count: 50 });
    const removedCount = () =>
      s.of('captured').reduce<number>((n, d) => {
        const x = d as { ids?: number[]; removed?: number };
        return n + (x.ids?.length ?? x.removed ?? 0);
      }, 0);
    await waitFor(() => removedCount() === 1450, 'all removals announced');
    expect(s.of('captured').length).toBeLessThan(15);
    expect((await store.counts()).total).toBe(50);
    s.close();
    await hubDetached();
  });

  it('serves several clients from one set of bus listeners', async () => {
    const bus = t.relay.ctx.bus;
    const baseline = bus.listenerCount('captured');
    const clients = Array.from({ length: 5 }, () => readEventStream(`${t.url}/api/events`, { 'X-API-Token': t.token }));
    await waitFor(() => clients.every((c) => c.of('stats').length > 0), 'all connected');
    expect(bus.listenerCount('captured')).toBe(baseline + 1);
    await enqueue([payload('fanout')]);
    await waitFor(() => clients.every((c) => c.of('messages').some((d) => JSON.stringify(d).includes('fanout'))), 'fan-out');
    for (const c of clients) c.close();
    await waitFor(() => bus.listenerCount('captured') === baseline, 'listeners removed');
  });
});
