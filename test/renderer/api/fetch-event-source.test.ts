import { afterEach, describe, expect, it, vi } from 'vitest';
import { FetchEventSource } from '../../../src/renderer/src/api/fetch-event-source.js';

/** A relay's /api/events answer the test writes to by hand. */
function stream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

function source(answers: (() => Response | Promise<Response>)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = vi.fn(async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new TypeError('network down');
    return next();
  });
  const es = new FetchEventSource('http://relay.test/api/events', { 'X-API-Token': 'tok' }, fetchImpl);
  const seen: string[] = [];
  es.onopen = () => seen.push('open');
  es.onerror = () => seen.push(`error:${es.readyState}`);
  es.addEventListener('stats', (ev) => seen.push(`stats:${String(ev.data)}`));
  return { es, calls, seen };
}

describe('FetchEventSource', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the token in a header and delivers named events once open', async () => {
    const s = stream();
    const { es, calls, seen } = source([() => s.response]);
    await vi.waitFor(() => expect(es.readyState).toBe(1));
    s.write('retry: 2000\n\nevent: stats\ndata: {"n":');
    s.write('1}\n\nevent: other\ndata: x\n\n');
    await vi.waitFor(() => expect(seen).toEqual(['open', 'stats:{"n":1}']));
    expect(calls[0].url).toBe('http://relay.test/api/events');
    expect(calls[0].init.headers).toEqual({ 'X-API-Token': 'tok', Accept: 'text/event-stream' });
    es.close();
    expect(es.readyState).toBe(2);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['open', 'stats:{"n":1}']);
  });

  it('closes for good when the relay refuses the stream (as EventSource does on a non-200)', async () => {
    const { es, calls, seen } = source([() => new Response('{"error":{}}', { status: 401, headers: { 'Content-Type': 'application/json' } })]);
    await vi.waitFor(() => expect(seen).toEqual(['error:2']));
    expect(es.readyState).toBe(2);
    expect(calls).toHaveLength(1);
    const html = source([() => new Response('<html>', { headers: { 'Content-Type': 'text/html' } })]);
    await vi.waitFor(() => expect(html.seen).toEqual(['error:2']));
  });

  it('reconnects after a dropped stream or a network error, waiting the retry the server asked for', async () => {
    // only the reconnect timer is faked: the streams underneath run on real ticks
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    const first = stream();
    const second = stream();
    const { es, calls, seen } = source([() => first.response, () => Promise.reject(new TypeError('refused')), () => second.response]);
    await settle();
    expect(seen).toEqual(['open']);
    first.write('retry: 500\n\n');
    first.end();
    await settle();
    expect(seen).toEqual(['open', 'error:0']);
    await vi.advanceTimersByTimeAsync(499);
    await settle();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(calls).toHaveLength(2);
    expect(seen).toEqual(['open', 'error:0', 'error:0']);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(seen).toEqual(['open', 'error:0', 'error:0', 'open']);
    expect(calls).toHaveLength(3);
    second.write('event: stats\ndata: 2\n\n');
    await settle();
    expect(seen.at(-1)).toBe('stats:2');
    es.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(3);
  });
});
