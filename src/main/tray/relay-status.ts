import type { Logger } from 'pino';
import type { DeliveryMode } from '../../core/config/types.js';
import type { AttemptOutcome, ReportOutcome } from '../../core/events.js';
import type { MessageEvent } from '../../core/messages/types.js';
import type { LiveStats, RelayServices } from '../../core/services/index.js';
import type { RelayConnectionInfo } from '../../shared/ipc.js';

/** What the tray icon shows, most urgent first: paused, failing, then the delivery mode. */
export type TrayVisualState = 'sandbox' | 'real' | 'paused' | 'failing';

export interface RelayStatusSnapshot {
  mode: DeliveryMode;
  paused: boolean;
  /** waiting for delivery: queued + deferred + sending */
  pending: number;
  deferred: number;
  /** ended in error (reported to the application or not: the report keeps the outcome) */
  failed: number;
  capturedUnread: number;
  /** the last delivery attempt failed (cleared by the next successful one) */
  deliveryProblem: string | null;
  /** the last report to the application failed */
  syncProblem: string | null;
  visual: TrayVisualState;
  api: { url: string; token: string };
  smtp: { host: string; port: number };
}

/** Where the tray's state comes from: the relay's services and how to reach the relay. */
export interface RelayStatusSource {
  services: Pick<RelayServices, 'stats' | 'events'>;
  connection: () => RelayConnectionInfo;
  logger: Logger;
}

export function visualState(s: Pick<RelayStatusSnapshot, 'mode' | 'paused' | 'deliveryProblem' | 'syncProblem'>): TrayVisualState {
  if (s.paused) return 'paused';
  if (s.deliveryProblem || s.syncProblem) return 'failing';
  return s.mode;
}

export interface RelayStatusOptions {
  /** bursts of bus events within this window cause one recount */
  coalesceMs?: number;
  /** recount this often too: reading a captured message changes the unread count without a bus event */
  refreshMs?: number;
}

const FAILED_ATTEMPTS: ReadonlySet<AttemptOutcome['outcome']> = new Set(['temporary', 'permanent', 'build_error']);

/**
 * The relay's state as the tray sees it, recomputed from the stats when the relay announces a
 * change. Counting is one GROUP BY, so bursts of events are coalesced into one recount.
 */
export class RelayStatusModel {
  private readonly listeners = new Set<(s: RelayStatusSnapshot) => void>();
  private timer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private deliveryProblem: string | null = null;
  private syncProblem: string | null = null;
  private readonly coalesceMs: number;
  private readonly refreshMs: number;
  private readonly unsubscribe: (() => void)[] = [];

  private constructor(
    private readonly source: RelayStatusSource,
    private snapshotValue: RelayStatusSnapshot,
    opts: RelayStatusOptions,
  ) {
    this.coalesceMs = opts.coalesceMs ?? 250;
    this.refreshMs = opts.refreshMs ?? 30_000;
  }

  /** A model with its first snapshot counted. */
  static async create(source: RelayStatusSource, opts: RelayStatusOptions = {}): Promise<RelayStatusModel> {
    return new RelayStatusModel(source, compute(await source.services.stats.live(), source.connection(), null, null), opts);
  }

  start(): void {
    const { events } = this.source.services;
    const onChange = () => this.schedule();
    const onAttempt = (a: AttemptOutcome) => {
      if (a.outcome === 'sent') return this.clearDelivery();
      if (FAILED_ATTEMPTS.has(a.outcome)) {
        this.deliveryProblem = `${a.outcome} failure${a.code ? ` (SMTP ${a.code})` : ''} for message ${a.message_id}`;
        this.schedule();
      }
    };
    const onMessages = (events: MessageEvent[]) => {
      for (const ev of events) {
        if (ev.type === 'sent') this.deliveryProblem = null;
        else if (ev.type === 'error') this.deliveryProblem = describeError(ev);
      }
      this.schedule();
    };
    const onReport = (r: ReportOutcome) => {
      this.syncProblem = r.ok ? null : (r.error ?? `upstream answered ${r.status ?? 'with an error'}`);
      this.schedule();
    };
    this.unsubscribe.push(
      events.on('settings', onChange),
      events.on('captured', onChange),
      events.on('captured.removed', onChange),
      events.on('messages', onMessages),
      events.on('attempt', onAttempt),
      events.on('report', onReport),
    );
    this.refreshTimer = setInterval(() => this.schedule(), this.refreshMs);
    this.refreshTimer.unref();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.timer) clearTimeout(this.timer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.timer = null;
    this.refreshTimer = null;
    this.listeners.clear();
  }

  snapshot(): RelayStatusSnapshot {
    return this.snapshotValue;
  }

  onChange(listener: (s: RelayStatusSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recounts now and tells listeners (also what the coalescing timer runs). */
  async refresh(): Promise<RelayStatusSnapshot> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const stats = await this.source.services.stats.live();
    this.snapshotValue = compute(stats, this.source.connection(), this.deliveryProblem, this.syncProblem);
    for (const l of this.listeners) l(this.snapshotValue);
    return this.snapshotValue;
  }

  private clearDelivery(): void {
    if (this.deliveryProblem === null) return;
    this.deliveryProblem = null;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // the store closes during shutdown; a late recount has nothing to show
      this.refresh().catch((err: unknown) => this.source.logger.debug({ err }, 'tray status refresh skipped'));
    }, this.coalesceMs);
  }
}

function compute(stats: LiveStats, connection: RelayConnectionInfo, deliveryProblem: string | null, syncProblem: string | null): RelayStatusSnapshot {
  const { counts } = stats;
  const base = {
    mode: stats.delivery_mode,
    paused: stats.paused,
    pending: counts.queued + counts.deferred + counts.sending,
    deferred: counts.deferred,
    failed: counts.error,
    capturedUnread: stats.captured.unread,
    deliveryProblem,
    syncProblem,
    api: { url: connection.url, token: connection.token },
    smtp: { host: connection.smtp.host, port: connection.smtp.port },
  };
  return { ...base, visual: visualState(base) };
}

function describeError(ev: MessageEvent): string {
  const detail = ev.detail ?? {};
  const reason = typeof detail.error === 'string' ? detail.error : typeof detail.reason === 'string' ? detail.reason : null;
  return `message ${ev.message_id} failed${reason ? `: ${reason}` : ''}`;
}
