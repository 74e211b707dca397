import Router from '@koa/router';
import type { ServerResponse } from 'node:http';
import type { Relay } from '../../relay.js';
import type { CapturedAnnouncement, ReportOutcome } from '../../events.js';
import type { MessageEvent } from '../../messages/types.js';
import { openapi } from '../openapi.js';

openapi.registerPath({
  method: 'get',
  path: '/api/events',
  summary: 'Server-Sent Events (token as header or ?token=)',
  description: [
    'Events, each `data` being JSON:',
    '`messages`: an array of timeline rows (MessageEvent), coalesced per ~200 ms; a burst over the cap is sent as',
    '`{coalesced: true, count, states: {state: n}}` instead (refetch the list).',
    '`captured`: one captured-mail summary per frame; a burst of more than 20 per ~200 ms is sent as `{coalesced: true, count}`;',
    'deletions as `{type: "deleted", ids}`, `{type: "cleared"}` (delete all), or `{coalesced: true, removed}` for a large prune.',
    '`settings`: the settings after a change. `stats`: `{counts, captured: {total, unread}, in_flight, delivery_mode, paused}`,',
    'sent on connect and then only when it changed, at most every 2 s. `report`: outcome of a delivery-report sync.',
    'A comment line is sent every 15 s as a heartbeat.',
  ].join(' '),
  responses: { 200: { description: 'text/event-stream' } },
});

/** a burst larger than this is announced as a count, not row by row */
const MAX_BATCH = 500;
/** up to this many captures per flush go out one frame each; more are announced as a count */
const MAX_CAPTURED_FRAMES = 20;
const FLUSH_MS = 200;
const STATS_MIN_INTERVAL_MS = 2000;
/** stats are rechecked this often even without activity (e.g. captured mail marked read) */
const STATS_IDLE_INTERVAL_MS = 30_000;
const HEARTBEAT_MS = 15_000;
/** a client that lets this much pile up unread is dropped (EventSource reconnects) */
const MAX_CLIENT_BACKLOG = 4 * 1024 * 1024;

function frame(event: string, data: unknown): string {
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
  private readonly clients = new Set<ServerResponse>();
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
  private readonly onSettings = (s: Record<string, unknown>) => {
    this.broadcast(frame('settings', s));
    this.activity();
  };
  private readonly onReport = (r: ReportOutcome) => this.broadcast(frame('report', r));

  constructor(private readonly relay: Relay) {}

  add(res: ServerResponse): void {
    if (this.clients.size === 0) this.attach();
    this.clients.add(res);
    res.write(`retry: 2000\n\n`);
    res.write(frame('stats', this.statsNow()));
  }

  remove(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) this.detach();
  }

  private attach(): void {
    const bus = this.relay.ctx.bus;
    bus.on('messages', this.onMessages);
    bus.on('captured', this.onCaptured);
    bus.on('captured.removed', this.onRemoved);
    bus.on('settings', this.onSettings);
    bus.on('report', this.onReport);
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
    const bus = this.relay.ctx.bus;
    bus.off('messages', this.onMessages);
    bus.off('captured', this.onCaptured);
    bus.off('captured.removed', this.onRemoved);
    bus.off('settings', this.onSettings);
    bus.off('report', this.onReport);
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

  private statsNow(): unknown {
    if (this.statsDirty || this.lastStats === null) {
      const { store, settings } = this.relay.ctx;
      const s = settings.current();
      this.lastStats = JSON.stringify({
        counts: store.messages.countByState(),
        captured: store.captured.counts(),
        in_flight: this.relay.dispatcher.inFlight(),
        delivery_mode: s.delivery_mode,
        paused: s.paused,
      });
      this.statsDirty = false;
      this.statsAt = Date.now();
    }
    return JSON.parse(this.lastStats) as unknown;
  }

  private sendStats(): void {
    if (!this.statsDirty || this.clients.size === 0) return;
    const before = this.lastStats;
    const stats = this.statsNow();
    if (this.lastStats !== before) this.broadcast(frame('stats', stats));
  }

  private broadcast(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_CLIENT_BACKLOG) {
        this.remove(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
  }
}

const hubs = new WeakMap<Relay, EventHub>();

/** GET /api/events (Server-Sent Events) */
export function eventsRoutes(relay: Relay): Router {
  const router = new Router();
  router.get('/api/events', (c) => {
    let hub = hubs.get(relay);
    if (!hub) {
      hub = new EventHub(relay);
      hubs.set(relay, hub);
    }
    const res = c.res;
    const socket = c.req.socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    // the stream is written to the raw response; Koa must neither answer nor see a 404
    c.status = 200;
    c.respond = false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const h = hub;
    const cleanup = () => h.remove(res);
    res.on('close', cleanup);
    res.on('error', cleanup);
    h.add(res);
  });
  return router;
}
