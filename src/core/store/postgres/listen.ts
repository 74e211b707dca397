import type pg from 'pg';
import type { MessageEvent } from '../../messages/types.js';
import type { CapturedSummary, StoreAnnouncements } from '../ports.js';
import { CAPTURED_COLUMNS, rowToCaptured, type CapturedRow } from '../sql/captured-rows.js';
import { rowToEvent, type EventRow } from '../sql/message-rows.js';
import { decodeNotice, NOTIFY_CHANNEL, noticeEffects, type NoticeEffect } from './notify.js';

type Remote = Pick<
  StoreAnnouncements,
  'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged' | 'onRemoteCaptured' | 'onRemoteCapturedRemoved' | 'onRemoteSettings' | 'onRemoteWake' | 'onRescan'
>;

export interface PgListenerDeps {
  /** a new connection outside the pool (connection.ts createSessionClient) */
  connect: () => pg.Client;
  /** this store's origin: its own notices are ignored */
  origin: string;
  announce: Remote;
  onError: (err: Error) => void;
  /** reconnect delays: from base, doubling up to cap (±10 %) */
  backoff?: { baseMs: number; capMs: number };
  /** false: nobody follows timeline rows now, so those of other relays are not loaded */
  followEvents?: () => boolean;
}

export const DEFAULT_LISTEN_BACKOFF = { baseMs: 250, capMs: 5_000 };

const EVENTS_SQL = `SELECT e.seq, e.message_id, e.tenant_id, e.ts, e.type, e.state, e.detail, m.account_id
  FROM message_events e LEFT JOIN messages m ON m.tenant_id = e.tenant_id AND m.id = e.message_id
  WHERE e.seq = ANY($1::bigint[]) ORDER BY e.seq`;

/**
 * One relay's LISTEN connection: turns the notices of the other relays of the database into the
 * store's announcements (loading the rows they name), in arrival order. A lost connection reconnects
 * with backoff, then announces a rescan: what was notified meanwhile is gone.
 */
export class PgListener {
  private readonly backoff: { baseMs: number; capMs: number };
  private client: pg.Client | null = null;
  private readonly lostClients = new WeakSet<pg.Client>();
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private connectedOnce = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PgListenerDeps) {
    this.backoff = deps.backoff ?? DEFAULT_LISTEN_BACKOFF;
  }

  /** Listens from now on (a failure to connect is retried in the background). */
  start(): Promise<void> {
    return this.open();
  }

  get listening(): boolean {
    return this.client !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const c = this.client;
    this.client = null;
    if (c) {
      this.lostClients.add(c);
      await c.end().catch(() => undefined);
    }
    await this.chain;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const client = this.deps.connect();
    client.on('notification', (msg) => this.onNotice(client, msg.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped || this.lostClients.has(client)) {
      await client.end().catch(() => undefined);
      return;
    }
    const missed = this.connectedOnce || this.failures > 0;
    this.client = client;
    this.connectedOnce = true;
    this.failures = 0;
    if (missed) this.enqueue(async () => this.deps.announce.onRescan?.());
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.lostClients.has(client)) return;
    this.lostClients.add(client);
    if (this.client === client) this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (err && this.failures === 0) this.deps.onError(err);
    const delay = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** Math.min(this.failures, 20)) * (0.9 + Math.random() * 0.2);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, delay);
    this.retryTimer.unref();
  }

  private onNotice(client: pg.Client, payload: string | undefined): void {
    const notice = decodeNotice(payload);
    if (!notice) return;
    const effects = noticeEffects(notice, this.deps.origin);
    if (effects.length > 0) this.enqueue(() => this.apply(client, effects));
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((err: Error) => this.deps.onError(err));
  }

  private async apply(client: pg.Client, effects: NoticeEffect[]): Promise<void> {
    for (const e of effects) {
      try {
        await this.applyOne(client, e);
      } catch (err) {
        // the rows could not be read (the connection went): the rescan after reconnecting covers them
        this.deps.onError(err as Error);
      }
    }
  }

  private async applyOne(client: pg.Client, e: NoticeEffect): Promise<void> {
    const a = this.deps.announce;
    switch (e.kind) {
      case 'load-events': {
        if (this.deps.followEvents?.() === false) return;
        const events = await loadEvents(client, e.seqs);
        if (events.length > 0) a.onMessageEvents?.(events);
        return;
      }
      case 'events':
        return a.onMessageEvents?.(e.events);
      case 'accounts':
        return a.onAccountsChanged?.(e.ids);
      case 'tenants':
        return a.onTenantsChanged?.(e.ids);
      case 'load-captured': {
        const items = await loadCaptured(client, e.ids);
        if (items.length > 0) a.onRemoteCaptured?.(items);
        return;
      }
      case 'captured-removed':
        return a.onRemoteCapturedRemoved?.(e.ids);
      case 'settings':
        return a.onRemoteSettings?.();
      case 'wake':
        return a.onRemoteWake?.({ dispatch: e.dispatch, report: e.report });
      case 'rescan':
        return a.onRescan?.();
    }
  }
}

async function loadEvents(db: pg.Client, seqs: number[]): Promise<MessageEvent[]> {
  const { rows } = await db.query<EventRow & { account_id: string | null }>(EVENTS_SQL, [seqs]);
  return rows.map((r) => rowToEvent(r, r.account_id));
}

async function loadCaptured(db: pg.Client, ids: number[]): Promise<CapturedSummary[]> {
  const { rows } = await db.query<CapturedRow>(`SELECT ${CAPTURED_COLUMNS} FROM captured c WHERE c.id = ANY($1::bigint[]) ORDER BY c.id`, [ids]);
  return rows.map(rowToCaptured);
}
