import { parseSseFrame, SSE_EVENT_NAMES, type SseEventName, type SseFrame } from '../../../shared/api/index.js';

/**
 * The relay's Server-Sent Events (`/api/events`), fanned out to subscribers by event name, each frame
 * checked against its contract first. The source (EventSource-like) reconnects by itself after a dropped
 * connection; when the server refuses the stream (readyState CLOSED) we reconnect with backoff. After any reconnect, and
 * for a frame that cannot be read, a 'resync' is announced so views refetch what they may have missed.
 */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Named events the UI understands; other names are never subscribed to, hence ignored. */
export const STREAM_EVENTS: readonly SseEventName[] = SSE_EVENT_NAMES;
export type StreamEventName = SseEventName | 'resync';
/** What a subscriber of `name` receives: the checked frame (null for a resync). */
export type StreamData<N extends StreamEventName> = N extends SseEventName ? SseFrame<N> : null;

type Listener = (data: never) => void;

export interface EventSourceLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onerror: ((ev: Event) => void) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;

export class EventStream {
  private source: EventSourceLike | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly statusListeners = new Set<(s: StreamStatus) => void>();
  private statusValue: StreamStatus = 'closed';
  private hadOutage = false;
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;

  constructor(
    private readonly url: string,
    /** the app's is `RelayApi.eventSources()`: the token in a header */
    private readonly factory: EventSourceFactory,
  ) {}

  get status(): StreamStatus {
    return this.statusValue;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.source?.close();
    this.source = null;
    this.setStatus('closed');
  }

  on<N extends StreamEventName>(name: N, fn: (data: StreamData<N>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    const listener = fn as Listener;
    set.add(listener);
    return () => set.delete(listener);
  }

  onStatus(fn: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Delivers an event to subscribers (used by the stream itself; handy in tests). */
  emit<N extends StreamEventName>(name: N, data: StreamData<N>): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        (fn as (d: StreamData<N>) => void)(data);
      } catch (err) {
        console.error(`event listener for '${name}' failed`, err);
      }
    }
  }

  private open(): void {
    this.setStatus(this.hadOutage ? 'reconnecting' : 'connecting');
    const source = this.factory(this.url);
    this.source = source;
    source.onopen = () => {
      this.retryMs = 1000;
      this.setStatus('live');
      if (this.hadOutage) {
        this.hadOutage = false;
        this.emit('resync', null);
      }
    };
    source.onerror = () => {
      if (this.stopped) return;
      this.hadOutage = true;
      if (source.readyState === CLOSED) {
        source.close();
        this.scheduleReopen();
      } else {
        this.setStatus('reconnecting');
      }
    };
    for (const name of STREAM_EVENTS) {
      source.addEventListener(name, (ev: MessageEvent) => this.deliver(name, ev.data));
    }
  }

  private deliver<N extends SseEventName>(name: N, data: unknown): void {
    const r = parseSseFrame(name, typeof data === 'string' ? data : '');
    if (r.ok) return this.emit(name, r.frame as StreamData<N>);
    // what the frame said is lost: views refetch instead of guessing
    console.warn(`ignored a ${r.error}`);
    this.emit('resync', null);
  }

  private scheduleReopen(): void {
    this.setStatus('reconnecting');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 15_000);
  }

  private setStatus(s: StreamStatus): void {
    if (s === this.statusValue) return;
    this.statusValue = s;
    for (const fn of this.statusListeners) fn(s);
  }
}
