import { afterEach, describe, expect, it, vi } from 'vitest';
import { RelayBus } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { MessageEvent } from '../../../src/core/messages/types.js';
import { createLiveEventsService, MAX_LIVE_CLIENTS, type FrameClient } from '../../../src/core/services/live-events.js';
import type { LiveStats } from '../../../src/core/services/stats.js';

/** A subscriber that keeps what it was sent, split into events. */
class Client implements FrameClient {
  chunks: string[] = [];
  pending = 0;
  closed = false;
  write(chunk: string): void {
    this.chunks.push(chunk);
  }
  backlog(): number {
    return this.pending;
  }
  close(): void {
    this.closed = true;
  }
  of(event: string): unknown[] {
    return this.chunks.filter((c) => c.startsWith(`event: ${event}\n`)).map((c) => JSON.parse(c.split('\ndata: ')[1]));
  }
}

function stats(queued: number): LiveStats {
  return {
    counts: { queued, deferred: 0, sending: 0, sent: 0, error: 0 },
    captured: { total: 0, unread: 0 },
    in_flight: 0,
    delivery_mode: 'sandbox',
    paused: false,
  };
}

const row = (id: string): MessageEvent => ({ message_id: id, tenant_id: '', account_id: null, ts: 1, type: 'queued', state: 'queued' });

afterEach(() => {
  vi.useRealTimers();
});

describe('live events hub (HTTP-agnostic)', () => {
  it('greets a client with the retry hint and the stats, then batches what happens', async () => {
    vi.useFakeTimers();
    const bus = new RelayBus();
    let queued = 0;
    const live = createLiveEventsService({ bus, stats: { live: async () => stats(queued) }, logger: silentLogger() });
    const c = new Client();
    const disconnect = live.connect(c);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.chunks[0]).toBe('retry: 2000\n\n');
    expect(c.of('stats')).toEqual([stats(0)]);

    queued = 2;
    bus.emit('messages', [row('a')]);
    bus.emit('messages', [row('b')]);
    bus.emit('settings', { paused: true });
    expect(c.of('settings')).toEqual([{ paused: true }]);
    expect(c.of('messages')).toEqual([]);
    await vi.advanceTimersByTimeAsync(250);
    expect(c.of('messages')).toEqual([[row('a'), row('b')]]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(c.of('stats').at(-1)).toEqual(stats(2));

    disconnect();
    expect(bus.listenerCount('messages')).toBe(0);
    expect(bus.listenerCount('settings')).toBe(0);
  });

  it('forwards account and tenant changes as their frames (#14.6: the accounts frame was missing)', async () => {
    const bus = new RelayBus();
    const live = createLiveEventsService({ bus, stats: { live: async () => stats(0) }, logger: silentLogger() });
    const c = new Client();
    const disconnect = live.connect(c);
    bus.emit('accounts', { ids: ['smtp1'] });
    bus.emit('tenants', { ids: ['acme'] });
    expect(c.of('accounts')).toEqual([{ ids: ['smtp1'] }]);
    expect(c.of('tenants')).toEqual([{ ids: ['acme'] }]);
    disconnect();
    expect(bus.listenerCount('accounts')).toBe(0);
    expect(bus.listenerCount('tenants')).toBe(0);
  });

  it('counts a burst past the cap instead of sending every row', async () => {
    vi.useFakeTimers();
    const bus = new RelayBus();
    const live = createLiveEventsService({ bus, stats: { live: async () => stats(0) }, logger: silentLogger() });
    const c = new Client();
    live.connect(c);
    bus.emit('messages', Array.from({ length: 600 }, (_, i) => row(`m${i}`)));
    await vi.advanceTimersByTimeAsync(250);
    expect(c.of('messages')).toEqual([{ coalesced: true, count: 600, states: { queued: 600 } }]);
  });

  it('drops a client that lets too much pile up, and keeps serving the others', async () => {
    const bus = new RelayBus();
    const live = createLiveEventsService({ bus, stats: { live: async () => stats(0) }, logger: silentLogger() });
    const slow = new Client();
    const fine = new Client();
    live.connect(slow);
    live.connect(fine);
    slow.pending = 5 * 1024 * 1024;
    bus.emit('settings', { paused: false });
    expect(slow.closed).toBe(true);
    expect(fine.of('settings')).toEqual([{ paused: false }]);
    bus.emit('report', { ts: 1, ok: true, sent: 0 });
    expect(slow.of('report')).toEqual([]);
    expect(fine.of('report')).toEqual([{ ts: 1, ok: true, sent: 0 }]);
  });

  it('lets the desktop shell follow announcements, and stop following', () => {
    const bus = new RelayBus();
    const live = createLiveEventsService({ bus, stats: { live: async () => stats(0) }, logger: silentLogger() });
    const seen: number[] = [];
    const off = live.on('captured.removed', (r) => seen.push(r.ids === 'all' ? -1 : r.ids.length));
    bus.emit('captured.removed', { ids: [1, 2] });
    off();
    bus.emit('captured.removed', { ids: 'all' });
    expect(seen).toEqual([2]);
    expect(bus.listenerCount('captured.removed')).toBe(0);
  });
});

describe('live events hub: the client cap (#17.6)', () => {
  it(`refuses the stream past ${MAX_LIVE_CLIENTS} with a 503, before writing anything; a freed place is taken again`, async () => {
    const bus = new RelayBus();
    const live = createLiveEventsService({ bus, stats: { live: async () => stats(0) }, logger: silentLogger() });
    const disconnects = Array.from({ length: MAX_LIVE_CLIENTS }, () => live.connect(new Client()));
    const refused = new Client();
    expect(() => live.connect(refused)).toThrow(expect.objectContaining({ status: 503, code: 'too_many_clients' }));
    expect(refused.chunks).toEqual([]);
    disconnects[0]!();
    const again = new Client();
    disconnects.push(live.connect(again));
    expect(again.chunks[0]).toBe('retry: 2000\n\n');
    for (const d of disconnects) d();
    expect(bus.listenerCount('messages')).toBe(0);
  });
});
