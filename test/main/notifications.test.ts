import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RelayBus, type CapturedAnnouncement } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { createLiveEventsService, type LiveEventsService } from '../../src/core/services/live-events.js';
import { BurstThrottle, DeliveryNotifier, type NotificationRequest } from '../../src/main/notifications.js';

function captured(id: number, subject = `hello ${id}`): CapturedAnnouncement {
  return { id, received_ts: 1, from: 'app@example.com', to: ['a@example.com', 'b@example.com'], subject, size: 100, attachments: 0, mailbox: null, relay_message_id: null };
}

describe('BurstThrottle', () => {
  it('lets the first event of a burst through and holds the rest until a quiet gap', () => {
    const t = new BurstThrottle(1000, 60_000);
    expect(t.hit(0)).toEqual({ notify: true, suppressed: 0 });
    expect(t.hit(500).notify).toBe(false);
    expect(t.hit(1400).notify).toBe(false); // 900 ms after the previous event: same burst
    expect(t.hit(2500)).toEqual({ notify: true, suppressed: 2 }); // 1100 ms of quiet: a new burst
  });

  it('repeats at most once per repeat interval during an endless burst', () => {
    const t = new BurstThrottle(1000, 5000);
    let shown = 0;
    for (let ms = 0; ms <= 20_000; ms += 100) if (t.hit(ms).notify) shown++;
    expect(shown).toBe(5); // at 0, 5000, 10000, 15000, 20000
  });
});

/** The relay's events service over a bare bus: on() subscribes, its result unsubscribes. */
function eventsOf(bus: RelayBus): Pick<LiveEventsService, 'on'> {
  return createLiveEventsService({ bus, stats: { live: () => Promise.reject(new Error('no stats here')) }, logger: silentLogger() });
}

describe('DeliveryNotifier', () => {
  let bus: RelayBus;
  let clock: ManualClock;
  let shown: NotificationRequest[];
  let muted: boolean;
  let focused: boolean;
  let notifier: DeliveryNotifier;

  beforeEach(() => {
    bus = new RelayBus();
    clock = new ManualClock();
    shown = [];
    muted = false;
    focused = false;
    notifier = new DeliveryNotifier({
      events: eventsOf(bus),
      clock,
      show: (n) => shown.push(n),
      isMuted: () => muted,
      isWindowFocused: () => focused,
      quietMs: 30_000,
      repeatMs: 600_000,
    });
    notifier.start();
  });

  afterEach(() => notifier.stop());

  it('announces the first captured message of a burst, not every message', () => {
    for (let i = 1; i <= 200; i++) {
      bus.emit('captured', captured(i));
      clock.advance(0.1);
    }
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ kind: 'captured', title: 'Mail captured' });
    expect(shown[0].body).toContain('hello 1');
    expect(shown[0].body).toContain('a@example.com and 1 more');

    clock.advance(31);
    bus.emit('captured', captured(201, ''));
    expect(shown).toHaveLength(2);
    expect(shown[1].title).toBe('Mail captured (200 since the last notice)');
    expect(shown[1].body).toContain('(no subject)');
  });

  it('announces the first delivery failure of a burst with its reason', () => {
    bus.emit('messages', [
      { message_id: 'm1', tenant_id: '', account_id: 'acc', ts: 1, type: 'error', state: 'error', detail: { error: '550 mailbox unavailable' } },
      { message_id: 'm2', tenant_id: '', account_id: 'acc', ts: 1, type: 'error', state: 'error', detail: { error: '550 mailbox unavailable' } },
      { message_id: 'm3', tenant_id: '', account_id: 'acc', ts: 1, type: 'sent', state: 'sent' },
    ]);
    expect(shown).toEqual([{ kind: 'failure', title: 'Delivery failed', body: 'Message m1: 550 mailbox unavailable' }]);
    clock.advance(60);
    bus.emit('messages', [{ message_id: 'm4', tenant_id: '', account_id: null, ts: 2, type: 'error', state: 'error' }]);
    expect(shown[1].body).toBe('Message m4: delivery failed (1 more failed since the last notice)');
  });

  it('stays silent while muted, without replaying the burst on unmute', () => {
    muted = true;
    bus.emit('captured', captured(1));
    bus.emit('messages', [{ message_id: 'm1', tenant_id: '', account_id: null, ts: 1, type: 'error', state: 'error' }]);
    bus.emit('report', { ts: 1, ok: false, sent: 0, error: 'connection refused' });
    expect(shown).toHaveLength(0);
    muted = false;
    clock.advance(1);
    bus.emit('captured', captured(2));
    expect(shown).toHaveLength(0); // still the same burst
  });

  it('skips captured mail while the window has focus, but not failures', () => {
    focused = true;
    bus.emit('captured', captured(1));
    bus.emit('messages', [{ message_id: 'm1', tenant_id: '', account_id: null, ts: 1, type: 'error', state: 'error' }]);
    expect(shown.map((n) => n.kind)).toEqual(['failure']);
  });

  it('announces an upstream sync failure once, until it recovers', () => {
    bus.emit('report', { ts: 1, ok: false, sent: 0, status: 500 });
    bus.emit('report', { ts: 2, ok: false, sent: 0, status: 500 });
    expect(shown).toEqual([{ kind: 'sync', title: 'Upstream sync failing', body: 'The application answered 500' }]);
    bus.emit('report', { ts: 3, ok: true, sent: 4 });
    bus.emit('report', { ts: 4, ok: false, sent: 0, error: 'ECONNREFUSED' });
    expect(shown.map((n) => n.body)).toEqual(['The application answered 500', 'ECONNREFUSED']);
  });

  it('stops listening when stopped', () => {
    notifier.stop();
    bus.emit('captured', captured(1));
    expect(shown).toHaveLength(0);
    expect(bus.listenerCount('captured')).toBe(0);
  });
});
