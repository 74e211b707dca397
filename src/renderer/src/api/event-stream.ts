/**
 * The relay's Server-Sent Events (`/api/events`), fanned out to subscribers by event name.
 * EventSource reconnects by itself after a dropped connection; when the server refuses the stream
 * (readyState CLOSED) we reconnect with backoff. After any reconnect a 'resync' is announced so views
 * refetch what they may have missed.
 */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Named events the UI understands; other names are never subscribed to, hence ignored. */
export const STREAM_EVENTS = ['messages', 'captured', 'settings', 'stats', 'report', 'accounts'] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number] | 'resync';

type Listener = (data: unknown) => void;

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
    private readonly factory: EventSourceFactory = (u) => new EventSource(u) as unknown as EventSourceLike,
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

  on(name: StreamEventName, fn: Listener): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  onStatus(fn: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Delivers an event to subscribers (used by the stream itself; handy in tests). */
  emit(name: StreamEventName, data: unknown): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        fn(data);
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
      source.addEventListener(name, (ev: MessageEvent) => {
        let data: unknown = ev.data;
        if (typeof ev.data === 'string' && ev.data !== '') {
          try {
            data = JSON.parse(ev.data);
          } catch {
            // keep the raw text
          }
        }
        this.emit(name, data);
      });
    }
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
