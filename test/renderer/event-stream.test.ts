import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventStream } from '../../src/renderer/src/api/event-stream.js';
import { FakeEventSource } from './fakes.js';

describe('EventStream', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('parses named events and ignores names it does not know', () => {
    const stream = new EventStream('/api/events?token=t', (u) => new FakeEventSource(u));
    const got: unknown[] = [];
    stream.on('messages', (d) => got.push(d));
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    expect(stream.status).toBe('live');
    es.send('messages', [{ message_id: 'm', state: 'sent' }]);
    es.send('unknown-event', { x: 1 });
    es.send('messages', 'not json');
    expect(got).toEqual([[{ message_id: 'm', state: 'sent' }], 'not json']);
    expect(es.url).toBe('/api/events?token=t');
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
