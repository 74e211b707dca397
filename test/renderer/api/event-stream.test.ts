import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventStream } from '../../../src/renderer/src/api/event-stream.js';
import { FakeEventSource } from '../../support/renderer/fake-relay.js';

describe('EventStream', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const sent = { seq: 7, message_id: 'm', tenant_id: '', account_id: null, ts: 1_700_000_000, type: 'sent', state: 'sent', detail: { sandbox: true } };

  it('parses named events and ignores names it does not know', () => {
    const stream = new EventStream('/api/events', (u) => new FakeEventSource(u));
    const got: unknown[] = [];
    const resync = vi.fn();
    stream.on('messages', (d) => got.push(d));
    stream.on('resync', resync);
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    expect(stream.status).toBe('live');
    es.send('messages', [sent]);
    es.send('unknown-event', { x: 1 });
    expect(got).toEqual([[sent]]);
    expect(resync).not.toHaveBeenCalled();
    expect(es.url).toBe('/api/events');
  });

  it('passes on no frame that breaks its contract, and has the views resync instead', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stream = new EventStream('/e', (u) => new FakeEventSource(u));
    const got: unknown[] = [];
    const resync = vi.fn();
    stream.on('messages', (d) => got.push(d));
    stream.on('captured', (d) => got.push(d));
    stream.on('resync', resync);
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    const broken: [string, unknown][] = [
      ['messages', 'not json'],
      ['messages', '"nonsense"'],
      ['messages', null],
      ['messages', sent],
      ['messages', { events: [sent] }],
      ['messages', [{ foo: 1 }]],
      ['messages', [{ ...sent, state: 'lost' }]],
      ['captured', { type: 'deleted', ids: ['1'] }],
    ];
    for (const [name, data] of broken) es.send(name, data);
    expect(got).toEqual([]);
    expect(resync).toHaveBeenCalledTimes(broken.length);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('messages frame'));
    es.send('messages', { coalesced: true, count: 600, states: { queued: 600 } });
    expect(got).toEqual([{ coalesced: true, count: 600, states: { queued: 600 } }]);
    warn.mockRestore();
  });

  it('announces a resync after an outage, and reconnects by itself when the server refused the stream', () => {
    const stream = new EventStream('/e', (u) => new FakeEventSource(u));
    const statuses: string[] = [];
    const resync = vi.fn();
    stream.onStatus((s) => statuses.push(s));
    stream.on('resync', resync);
    stream.start();
    FakeEventSource.last().open();
    FakeEventSource.last().fail(false); // the browser retries on its own
    expect(stream.status).toBe('reconnecting');
    FakeEventSource.last().open();
    expect(resync).toHaveBeenCalledTimes(1);

    FakeEventSource.last().fail(true); // closed for good: we reopen with backoff
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.instances).toHaveLength(2);
    FakeEventSource.last().open();
    expect(resync).toHaveBeenCalledTimes(2);
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'live', 'reconnecting', 'live']);
  });

  it('stops cleanly', () => {
    const stream = new EventStream('/e', (u) => new FakeEventSource(u));
    stream.start();
    const es = FakeEventSource.last();
    stream.stop();
    expect(es.closed).toBe(true);
    es.fail(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(stream.status).toBe('closed');
  });
});
