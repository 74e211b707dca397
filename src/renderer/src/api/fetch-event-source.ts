import type { EventSourceLike } from './event-stream.js';
import { SseParser } from './sse-parser.js';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/**
 * An EventSource that sends headers: the relay's token goes in `X-API-Token`, never in the URL (where
 * logs, proxies and the network panel keep it). It behaves as EventSource does: a dropped or unreachable
 * stream reconnects after the server's `retry`; a refused one (not 2xx text/event-stream) closes for good.
 */
export class FetchEventSource implements EventSourceLike {
  readyState = CONNECTING;
  onopen: ((ev: Event) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  private readonly listeners = new Map<string, Set<(ev: MessageEvent) => void>>();
  private readonly abort = new AbortController();
  private retryMs = 3000;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {
    void this.connect();
  }

  addEventListener(type: string, listener: (ev: MessageEvent) => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  close(): void {
    this.readyState = CLOSED;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
  }

  private async connect(): Promise<void> {
    try {
      const res = await this.fetchImpl(this.url, {
        headers: { ...this.headers, Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: this.abort.signal,
      });
      if (!res.ok || !res.body || !/^text\/event-stream\b/i.test(res.headers.get('Content-Type') ?? '')) {
        void res.body?.cancel().catch(() => {});
        return this.fail(true);
      }
      if (this.readyState === CLOSED) return;
      this.readyState = OPEN;
      this.onopen?.(new Event('open'));
      const parser = new SseParser(
        (type, data) => this.dispatch(type, data),
        (ms) => (this.retryMs = ms),
      );
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      this.fail(false);
    } catch {
      this.fail(false);
    }
  }

  private fail(forGood: boolean): void {
    if (this.readyState === CLOSED) return;
    this.readyState = forGood ? CLOSED : CONNECTING;
    this.onerror?.(new Event('error'));
    if (forGood || this.readyState !== CONNECTING) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.retryMs);
  }

  private dispatch(type: string, data: string): void {
    if (this.readyState !== OPEN) return;
    const ev = new MessageEvent(type, { data });
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }
}
