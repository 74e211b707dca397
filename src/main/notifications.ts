import type { Clock } from '../core/clock.js';
import type { CapturedAnnouncement, ReportOutcome } from '../core/events.js';
import type { MessageEvent } from '../core/messages/types.js';
import type { LiveEventsService } from '../core/services/index.js';

/**
 * Decides which event of a stream deserves a notification: the first of a burst (an event after
 * `quietMs` without any), and at most one per `repeatMs` while a burst goes on, so a thousand
 * captured messages make one notification, not a thousand.
 */
export class BurstThrottle {
  private lastEventMs = Number.NEGATIVE_INFINITY;
  private lastNotifiedMs = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly quietMs: number,
    private readonly repeatMs: number,
  ) {}

  /** Records an event; `notify` says whether to show it, `suppressed` how many were held back since the last one. */
  hit(nowMs: number): { notify: boolean; suppressed: number } {
    const burstStart = nowMs - this.lastEventMs >= this.quietMs;
    const due = nowMs - this.lastNotifiedMs >= this.repeatMs;
    this.lastEventMs = nowMs;
    if (!burstStart && !due) {
      this.suppressed++;
      return { notify: false, suppressed: this.suppressed };
    }
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.lastNotifiedMs = nowMs;
    return { notify: true, suppressed };
  }
}

export interface NotificationRequest {
  title: string;
  body: string;
  /** which stream it belongs to */
  kind: 'failure' | 'captured' | 'sync';
}

export interface DeliveryNotifierOptions {
  events: Pick<LiveEventsService, 'on'>;
  clock: Clock;
  show: (n: NotificationRequest) => void;
  isMuted: () => boolean;
  /** captured mail is not announced while the user is looking at the window */
  isWindowFocused?: () => boolean;
  quietMs?: number;
  repeatMs?: number;
}

/**
 * Desktop notifications for delivery failures, upstream sync failures and captured mail; the
 * first of each burst only, and none while muted.
 */
export class DeliveryNotifier {
  private readonly failures: BurstThrottle;
  private readonly captured: BurstThrottle;
  private syncFailing = false;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly opts: DeliveryNotifierOptions) {
    const quiet = opts.quietMs ?? 30_000;
    const repeat = opts.repeatMs ?? 10 * 60_000;
    this.failures = new BurstThrottle(quiet, repeat);
    this.captured = new BurstThrottle(quiet, repeat);
  }

  start(): void {
    const { events } = this.opts;
    this.offs.push(
      events.on('messages', (evs: MessageEvent[]) => {
        for (const ev of evs) if (ev.type === 'error') this.onFailure(ev);
      }),
      events.on('captured', (c: CapturedAnnouncement) => this.onCaptured(c)),
      events.on('report', (r: ReportOutcome) => this.onReport(r)),
    );
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private onFailure(ev: MessageEvent): void {
    // the throttle sees every event, muted or not, so unmuting does not replay a burst
    const { notify, suppressed } = this.failures.hit(this.opts.clock.nowMs());
    if (!notify || this.opts.isMuted()) return;
    const detail = ev.detail ?? {};
    const reason = typeof detail.error === 'string' ? detail.error : typeof detail.reason === 'string' ? detail.reason : 'delivery failed';
    this.opts.show({
      kind: 'failure',
      title: 'Delivery failed',
      body: `Message ${ev.message_id}: ${reason}${suppressed ? ` (${suppressed} more failed since the last notice)` : ''}`,
    });
  }

  private onCaptured(c: CapturedAnnouncement): void {
    const { notify, suppressed } = this.captured.hit(this.opts.clock.nowMs());
    if (!notify || this.opts.isMuted() || this.opts.isWindowFocused?.()) return;
    const to = c.to.length > 1 ? `${c.to[0]} and ${c.to.length - 1} more` : (c.to[0] ?? '(no recipient)');
    this.opts.show({
      kind: 'captured',
      title: suppressed ? `Mail captured (${suppressed + 1} since the last notice)` : 'Mail captured',
      body: `${c.subject || '(no subject)'}\nFrom ${c.from || '(no sender)'} to ${to}`,
    });
  }

  private onReport(r: ReportOutcome): void {
    const wasFailing = this.syncFailing;
    this.syncFailing = !r.ok;
    if (r.ok || wasFailing || this.opts.isMuted()) return;
    this.opts.show({
      kind: 'sync',
      title: 'Upstream sync failing',
      body: r.error ?? `The application answered ${r.status ?? 'with an error'}`,
    });
  }
}
