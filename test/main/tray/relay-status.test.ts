import { describe, expect, it } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import { visualState } from '../../../src/main/tray/relay-status.js';
import { payload, itOnPausedRelay } from '../../support/main/tray-relay.js';
import { waitFor } from '../../support/common/wait.js';

describe('tray state from the relay', () => {
  itOnPausedRelay('counts queued and failed messages from the store and follows bus events', async ({ t, status }) => {
    status.start();
    let updates = 0;
    status.onChange(() => updates++);
    expect(status.snapshot()).toMatchObject({ mode: 'sandbox', paused: true, pending: 0, failed: 0, visual: 'paused' });

    await t.relay.store.messages.enqueue([payload('m1'), payload('m2'), payload('m3')], nowSec(t.relay.ctx.clock));
    await waitFor(() => status.snapshot().pending === 3, 'three queued messages in the tray state');
    // one burst of events, one recount
    expect(updates).toBe(1);

    await t.relay.ctx.settings.update({ paused: false, delivery_mode: 'real' });
    await waitFor(() => status.snapshot().mode === 'real' && !status.snapshot().paused, 'mode change');
    expect(status.snapshot().api).toEqual({ url: t.url, token: t.token });
    expect(status.snapshot().smtp.port).toBe(t.relay.addresses().smtp.port);
  });

  itOnPausedRelay('turns failing on a failed attempt or report and clears on success', async ({ t, status }) => {
    status.start();
    await t.relay.ctx.settings.update({ paused: false });
    await waitFor(() => status.snapshot().visual === 'sandbox', 'sandbox state');

    t.relay.ctx.bus.emit('attempt', { message_id: 'm9', account_id: 'acc', outcome: 'permanent', code: 550 });
    await waitFor(() => status.snapshot().visual === 'failing', 'failing after a permanent failure');
    expect(status.snapshot().deliveryProblem).toContain('550');

    t.relay.ctx.bus.emit('attempt', { message_id: 'm10', account_id: 'acc', outcome: 'sent' });
    await waitFor(() => status.snapshot().visual === 'sandbox', 'cleared by a sent message');

    t.relay.ctx.bus.emit('report', { ts: 1, ok: false, sent: 0, status: 502, error: 'upstream answered 502' });
    await waitFor(() => status.snapshot().syncProblem === 'upstream answered 502', 'sync problem');
    expect(status.snapshot().visual).toBe('failing');
    t.relay.ctx.bus.emit('report', { ts: 2, ok: true, sent: 3 });
    await waitFor(() => status.snapshot().syncProblem === null, 'sync recovered');
  });
});

describe('tray visual state', () => {
  it('paused wins over failing, failing over the mode', () => {
    expect(visualState({ mode: 'real', paused: true, deliveryProblem: 'x', syncProblem: null })).toBe('paused');
    expect(visualState({ mode: 'real', paused: false, deliveryProblem: null, syncProblem: 'y' })).toBe('failing');
    expect(visualState({ mode: 'real', paused: false, deliveryProblem: null, syncProblem: null })).toBe('real');
  });
});
