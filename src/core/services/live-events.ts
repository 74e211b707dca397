import type { Logger } from 'pino';
import type { AccountsFrame, TenantsFrame } from '../../shared/api/index.js';
import type { CapturedAnnouncement, RelayBus, RelayEventMap, ReportOutcome } from '../events.js';
import type { MessageEvent } from '../messages/types.js';
import { RelayError } from '../errors.js';
import type { StatsService } from './stats.js';

/** What the relay announces that others may follow (the wakes are commands, not news). */
export type LiveEventName = Exclude<keyof RelayEventMap, 'dispatch.wake' | 'report.wake'>;

/** A resync asks every client to refetch: the coalesced frames they already answer that way. */
const RESYNC_FRAMES = frame('messages', { coalesced: true, count: 0, states: {} }) + frame('captured', { coalesced: true, count: 0 });

/** One subscriber of the live stream, whatever carries it (an HTTP response for SSE). */
export interface FrameClient {
  /** one or more complete Server-Sent Events frames */
  write(chunk: string): void;
  /** bytes written that the client has not taken yet */
  backlog(): number;
  /** the client fell too far behind: end its stream (EventSource reconnects) */
  close(): void;
}

export interface LiveEventsService {
  /** follows one kind of announcement; returns the unsubscribe */
  on<E extends LiveEventName>(event: E, listener: (...args: RelayEventMap[E]) => void): () => void;
  /** streams frames to the client until the returned function is called; 503 (before writing) past MAX_LIVE_CLIENTS */
  connect(client: FrameClient): () => void;
}

/** a burst larger than this is announced as a count, not row by row */
const MAX_BATCH = 500;
/** up to this many captures per flush go out one frame each; more are announced as a count */
const MAX_CAPTURED_FRAMES = 20;
const FLUSH_MS = 200;
const STATS_MIN_INTERVAL_MS = 2000;
/** stats are rechecked this often even without activity (e.g. captured mail marked read) */
const STATS_IDLE_INTERVAL_MS = 30_000;
const HEARTBEAT_MS = 15_000;
/** live streams at once: each holds a socket and a write buffer; beyond this, 503 */
export const MAX_LIVE_CLIENTS = 64;
/** a client that lets this much pile up unread is dropped */
const MAX_CLIENT_BACKLOG = 4 * 1024 * 1024;

export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Batches a burst of items; past the cap it only counts them. */
class Coalescer<T> {
  items: T[] = [];
  count = 0;
  add(xs: T[]): void {
    this.count += xs.length;
    for (const x of xs) {
      if (this.items.length > MAX_BATCH) break;
      this.items.push(x);
    }
  }
  take(): { items: T[]; count: number; overflow: boolean } | null {
    if (this.count === 0) return null;
    const out = { items: this.items, count: this.count, overflow: this.count > MAX_BATCH };
    this.items = [];
    this.count = 0;
    return out;
  }
}

/**
 * One per relay: listens to the bus once, batches what happens, and writes the same frames to
 * every connected client. Listeners and timers exist only while someone is connected.
 */
class EventHub {
  private readonly clients = new Set<FrameClient>();
  private readonly messages = new Coalescer<MessageEvent>();
  private readonly captured = new Coalescer<CapturedAnnouncement>();
  private messageStates: Record<string, number> = {};
  private removed: number[] | 'all' | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  private statsDue: NodeJS.Timeout | null = null;
  private statsDirty = true;
  private statsAt = 0;
  private lastStats: string | null = null;
  private statsReading: Promise<string> | null = null;

  private readonly onMessages = (evs: MessageEvent[]) => {
    this.messages.add(evs);
    for (const ev of evs) this.messageStates[ev.state] = (this.messageStates[ev.state] ?? 0) + 1;
    this.activity();
  };
  // additions and removals of captured mail are batched apart but sent in the order they happened
  private readonly onCaptured = (c: CapturedAnnouncement) => {
    this.flushRemoved();
    this.captured.add([c]);
    this.activity();
  };
  private readonly onRemoved = (r: { ids: number[] | 'all' }) => {
    this.flushCaptured();
    const pending = this.removed;
    this.removed = r.ids === 'all' || pending === 'all' ? 'all' : [...(pending ?? []), ...r.ids];
    this.activity();
  };
  // announcements of other relays were missed (their database connection came back)
  private readonly onResync = () => {
    this.flush();
    this.broadcast(RESYNC_FRAMES);
    this.activity();
  };
  private readonly onSettings = (s: Record<string, unknown>) => {
    this.broadcast(frame('settings', s));
    this.activity();
  };
  private readonly onReport = (r: ReportOutcome) => this.broadcast(frame('report', r));
  // deleting an account or a tenant takes its messages along: the counts may have changed too
  private readonly onAccounts = (a: AccountsFrame) => {
    this.broadcast(frame('accounts', a));
    this.activity();
  };
  private readonly onTenants = (t: TenantsFrame) => {
    this.broadcast(frame('tenants', t));
    this.activity();
  };

  constructor(
    private readonly bus: Pick<RelayBus, 'on' | 'off'>,
    private readonly stats: Pick<StatsService, 'live'>,
    private readonly logger: Logger,
  ) {}

  add(client: FrameClient): void {
    if (this.clients.size >= MAX_LIVE_CLIENTS) {
      throw new RelayError(503, 'too_many_clients', `too many live event streams (at most ${MAX_LIVE_CLIENTS}); close another tab or window of the UI`);
    }
    if (this.clients.size === 0) this.attach();
    this.clients.add(client);
    client.write(`retry: 2000\n\n`);
    this.statsNow().then(
      (stats) => {
        if (this.clients.has(client)) client.write(`event: stats\ndata: ${stats}\n\n`);
      },
      (err: unknown) => this.logger.debug({ err }, 'live stats unavailable'),
    );
  }

  remove(client: FrameClient): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) this.detach();
  }

  private attach(): void {
    const { bus } = this;
    bus.on('messages', this.onMessages);
    bus.on('captured', this.onCaptured);
    bus.on('captured.remote', this.onCaptured);
    bus.on('captured.removed', this.onRemoved);
    bus.on('resync', this.onResync);
    bus.on('settings', this.onSettings);
    bus.on('report', this.onReport);
    bus.on('accounts', this.onAccounts);
    bus.on('tenants', this.onTenants);
    this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), HEARTBEAT_MS);
    this.statsTimer = setInterval(() => {
      this.statsDirty = true;
      this.sendStats();
    }, STATS_IDLE_INTERVAL_MS);
    this.heartbeat.unref();
    this.statsTimer.unref();
    this.statsDirty = true;
  }

  private detach(): void {
    const { bus } = this;
    bus.off('messages', this.onMessages);
    bus.off('captured', this.onCaptured);
    bus.off('captured.remote', this.onCaptured);
    bus.off('captured.removed', this.onRemoved);
    bus.off('resync', this.onResync);
    bus.off('settings', this.onSettings);
    bus.off('report', this.onReport);
    bus.off('accounts', this.onAccounts);
    bus.off('tenants', this.onTenants);
    for (const t of [this.heartbeat, this.statsTimer]) if (t) clearInterval(t);
    for (const t of [this.flushTimer, this.statsDue]) if (t) clearTimeout(t);
    this.heartbeat = this.statsTimer = this.flushTimer = this.statsDue = null;
    this.messages.take();
    this.captured.take();
    this.messageStates = {};
    this.removed = null;
  }

  /** Something changed: flush the batch soon, and the stats once the minimum interval allows. */
  private activity(): void {
    this.statsDirty = true;
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, FLUSH_MS);
      this.flushTimer.unref();
    }
    if (!this.statsDue) {
      const wait = Math.max(FLUSH_MS, this.statsAt + STATS_MIN_INTERVAL_MS - Date.now());
      this.statsDue = setTimeout(() => {
        this.statsDue = null;
        this.sendStats();
      }, wait);
      this.statsDue.unref();
    }
  }

  private flush(): void {
    const m = this.messages.take();
    if (m) {
      const states = this.messageStates;
      this.messageStates = {};
      this.broadcast(frame('messages', m.overflow ? { coalesced: true, count: m.count, states } : m.items));
    }
    this.flushCaptured();
    this.flushRemoved();
  }

  private flushCaptured(): void {
    const c = this.captured.take();
    if (!c) return;
    if (c.count > MAX_CAPTURED_FRAMES) this.broadcast(frame('captured', { coalesced: true, count: c.count }));
    else for (const item of c.items) this.broadcast(frame('captured', item));
  }

  private flushRemoved(): void {
    const r = this.removed;
    if (r === null) return;
    this.removed = null;
    if (r === 'all') this.broadcast(frame('captured', { type: 'cleared' }));
    else if (r.length > MAX_BATCH) this.broadcast(frame('captured', { coalesced: true, removed: r.length }));
    else this.broadcast(frame('captured', { type: 'deleted', ids: r }));
  }

  /** The stats as JSON, read again only after a change (changes during a read mark it stale again). */
  private statsNow(): Promise<string> {
    if (this.statsReading) return this.statsReading;
    if (!this.statsDirty && this.lastStats !== null) return Promise.resolve(this.lastStats);
    this.statsDirty = false;
    const reading = this.stats.live().then(
      (s) => {
        this.statsReading = null;
        this.statsAt = Date.now();
        this.lastStats = JSON.stringify(s);
        return this.lastStats;
      },
      (err: unknown) => {
        this.statsReading = null;
        this.statsDirty = true;
        throw err;
      },
    );
    this.statsReading = reading;
    return reading;
  }

  private sendStats(): void {
    if (!this.statsDirty || this.clients.size === 0) return;
    const before = this.lastStats;
    this.statsNow().then(
      (stats) => {
        if (stats !== before) this.broadcast(`event: stats\ndata: ${stats}\n\n`);
      },
      (err: unknown) => this.logger.debug({ err }, 'live stats unavailable'),
    );
  }

  private broadcast(chunk: string): void {
    for (const client of this.clients) {
      if (client.backlog() > MAX_CLIENT_BACKLOG) {
        this.remove(client);
        client.close();
        continue;
      }
      client.write(chunk);
    }
  }
}

export function createLiveEventsService(deps: { bus: RelayBus; stats: Pick<StatsService, 'live'>; logger: Logger }): LiveEventsService {
  const { bus } = deps;
  const hub = new EventHub(bus, deps.stats, deps.logger);
  return {
    on(event, listener) {
      // the bus's typed overloads do not narrow over a generic event name
      const on = bus.on.bind(bus) as (e: LiveEventName, l: typeof listener) => void;
      const off = bus.off.bind(bus) as (e: LiveEventName, l: typeof listener) => void;
      on(event, listener);
      return () => off(event, listener);
    },
    connect(client) {
      hub.add(client);
      return () => hub.remove(client);
    },
  };
}
