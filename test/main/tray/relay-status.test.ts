import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nowSec } from '../../src/core/clock.js';
import type { MessagePayload } from '../../src/core/messages/types.js';
import { RelayStatusModel, visualState } from '../../src/main/tray/relay-status.js';
import { TrayController } from '../../src/main/tray/tray-controller.js';
import { trayIconPath } from '../../src/main/tray/tray-icons.js';
import { apiSettingsText, buildTrayMenuTemplate, formatTooltip, smtpSettingsText, type TrayActions } from '../../src/main/tray/tray-menu.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { FakeImage, FakeTray, fakeMenuFactory, type FakeMenu } from '../support/main/fakes.js';

const RESOURCES = path.resolve(__dirname, '../../resources');

function payload(id: string): MessagePayload {
  return { id, from: 'app@example.com', to: ['user@example.com'], subject: `subject ${id}`, body: 'hello', content_type: 'plain', priority: 2 };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Tray actions that change the relay for real, as the desktop app's do. */
function relayActions(t: TestRelay, log: string[]): TrayActions {
  return {
    setMode: (mode) => {
      void t.relay.services.settings.update({ delivery_mode: mode });
    },
    setPaused: (paused) => {
      void t.relay.services.settings.update({ paused });
    },
    openWindow: () => log.push('open'),
    copySmtpSettings: () => log.push('copy-smtp'),
    copyApiSettings: () => log.push('copy-api'),
    setStartAtLogin: (v) => log.push(`login:${v}`),
    setNotificationsMuted: (v) => log.push(`mute:${v}`),
    quit: () => log.push('quit'),
  };
}

/** What the desktop app hands the tray model: the relay's services and how to reach it. */
function statusSource(t: TestRelay) {
  const connection = () => {
    const a = t.relay.addresses();
    return { url: a.url, token: t.relay.token, smtp: a.smtp };
  };
  return { services: t.relay.services, connection, logger: t.relay.ctx.logger };
}

describe('tray state from the relay', () => {
  let t: TestRelay;
  let status: RelayStatusModel;

  beforeEach(async () => {
    t = await startTestRelay();
    // paused: enqueued messages stay queued, so the counts are stable
    await t.relay.ctx.settings.update({ paused: true });
    status = await RelayStatusModel.create(statusSource(t), { coalesceMs: 10 });
  });

  afterEach(async () => {
    status.stop();
    await t.stop();
  });

  it('counts queued and failed messages from the store and follows bus events', async () => {
    status.start();
    let updates = 0;
    status.onChange(() => updates++);
    expect(status.snapshot()).toMatchObject({ mode: 'sandbox', paused: true, pending: 0, failed: 0, visual: 'paused' });

    await t.relay.store.messages.enqueue([payload('m1'), payload('m2'), payload('m3')], nowSec(t.relay.ctx.clock));
    await until(() => status.snapshot().pending === 3, 'three queued messages in the tray state');
    // one burst of events, one recount
    expect(updates).toBe(1);

    await t.relay.ctx.settings.update({ paused: false, delivery_mode: 'real' });
    await until(() => status.snapshot().mode === 'real' && !status.snapshot().paused, 'mode change');
    expect(status.snapshot().api).toEqual({ url: t.url, token: t.token });
    expect(status.snapshot().smtp.port).toBe(t.relay.addresses().smtp.port);
  });

  it('turns failing on a failed attempt or report and clears on success', async () => {
    status.start();
    await t.relay.ctx.settings.update({ paused: false });
    await until(() => status.snapshot().visual === 'sandbox', 'sandbox state');

    t.relay.ctx.bus.emit('attempt', { message_id: 'm9', account_id: 'acc', outcome: 'permanent', code: 550 });
    await until(() => status.snapshot().visual === 'failing', 'failing after a permanent failure');
    expect(status.snapshot().deliveryProblem).toContain('550');

    t.relay.ctx.bus.emit('attempt', { message_id: 'm10', account_id: 'acc', outcome: 'sent' });
    await until(() => status.snapshot().visual === 'sandbox', 'cleared by a sent message');

    t.relay.ctx.bus.emit('report', { ts: 1, ok: false, sent: 0, status: 502, error: 'upstream answered 502' });
    await until(() => status.snapshot().syncProblem === 'upstream answered 502', 'sync problem');
    expect(status.snapshot().visual).toBe('failing');
    t.relay.ctx.bus.emit('report', { ts: 2, ok: true, sent: 3 });
    await until(() => status.snapshot().syncProblem === null, 'sync recovered');
  });

  it('paused wins over failing, failing over the mode', () => {
    expect(visualState({ mode: 'real', paused: true, deliveryProblem: 'x', syncProblem: null })).toBe('paused');
    expect(visualState({ mode: 'real', paused: false, deliveryProblem: null, syncProblem: 'y' })).toBe('failing');
    expect(visualState({ mode: 'real', paused: false, deliveryProblem: null, syncProblem: null })).toBe('real');
  });

  it('builds the menu from the state and its items change the relay', async () => {
    await t.relay.store.messages.enqueue([payload('a'), payload('b')], nowSec(t.relay.ctx.clock));
    const snap = await status.refresh();
    const log: string[] = [];
    const template = buildTrayMenuTemplate(snap, { startAtLogin: false, notificationsMuted: true }, relayActions(t, log));
    const byId = new Map(template.filter((i) => i.id).map((i) => [i.id!, i]));

    expect(byId.get('status')?.label).toBe('Paused (sandbox)');
    expect(byId.get('count-pending')?.label).toBe('Queued: 2');
    expect(byId.get('count-failed')?.label).toBe('Failed: 0');
    expect(byId.get('mode-sandbox')).toMatchObject({ type: 'radio', checked: true });
    expect(byId.get('mode-real')).toMatchObject({ type: 'radio', checked: false });
    expect(byId.get('pause')?.label).toBe('Resume dispatch');
    expect(byId.get('mute')).toMatchObject({ type: 'checkbox', checked: true });
    expect(byId.get('login')).toMatchObject({ type: 'checkbox', checked: false });

    byId.get('pause')!.click!();
    expect(t.relay.ctx.settings.current().paused).toBe(false);
    byId.get('mode-real')!.click!();
    expect(t.relay.ctx.settings.current().delivery_mode).toBe('real');
    // persisted: a settings read from the database sees it
    await until(async () => (await t.relay.store.settings.get<{ delivery_mode: string }>('runtime'))?.delivery_mode === 'real', 'persisted');
    expect(await t.relay.store.settings.get<{ delivery_mode: string; paused: boolean }>('runtime')).toMatchObject({
      delivery_mode: 'real',
      paused: false,
    });
    byId.get('mute')!.click!();
    byId.get('login')!.click!();
    byId.get('quit')!.click!();
    expect(log).toEqual(['mute:false', 'login:true', 'quit']);
  });

  it('omits start at login where the platform has none; counts unread captured mail', async () => {
    const snap = await status.refresh();
    const template = buildTrayMenuTemplate(snap, { startAtLogin: null, notificationsMuted: false }, relayActions(t, []));
    expect(template.map((i) => i.id)).not.toContain('login');
    expect(template.find((i) => i.id === 'count-captured')?.label).toBe('Captured, unread: 0');

    // real captured mail, through the sink's SMTP port
    const smtp = t.relay.addresses().smtp;
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
    try {
      for (const n of [1, 2]) await transport.sendMail({ from: 'app@example.com', to: 'user@example.com', subject: `captured ${n}`, text: 'hi' });
    } finally {
      transport.close();
    }
    status.start();
    await until(async () => (await status.refresh()).capturedUnread === 2, 'two unread captured messages');
    const [first, second] = (await t.relay.store.captured.list({ limit: 10 })).items;
    // reading announces nothing on the bus: the periodic recount (or any event) picks it up
    expect((await t.api(`/api/captured/${first.id}`)).status).toBe(200);
    expect((await status.refresh()).capturedUnread).toBe(1);
    // a delete is announced, and the tray recounts by itself
    expect((await t.api(`/api/captured/${second.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await until(() => status.snapshot().capturedUnread === 0, 'recount after a delete');
  });

  it('tooltip and clipboard texts carry the state and connection details', async () => {
    const snap = await status.refresh();
    expect(formatTooltip(snap)).toBe('Genro Mail Relay — paused (sandbox) · 0 queued · 0 failed · 0 captured unread');
    const long = formatTooltip({ ...snap, deliveryProblem: 'x'.repeat(500) });
    expect(long.length).toBeLessThanOrEqual(127);
    expect(smtpSettingsText(snap)).toContain(`SMTP port: ${t.relay.addresses().smtp.port}`);
    expect(apiSettingsText(snap)).toBe(`API URL: ${t.url}\nAPI token: ${t.token}`);
  });

  it('the tray controller follows the state: icon per state, tooltip, rebuilt menu', async () => {
    const tray = new FakeTray(new FakeImage(''));
    const log: string[] = [];
    const controller = new TrayController<FakeMenu>({
      tray,
      menu: fakeMenuFactory,
      icon: (state) => new FakeImage(trayIconPath(RESOURCES, state, 'linux')),
      actions: relayActions(t, log),
      prefs: () => ({ startAtLogin: false, notificationsMuted: false }),
      platform: 'linux',
    });
    status.onChange((s) => controller.render(s));
    status.start();
    controller.render(status.snapshot());
    expect(path.basename(tray.image.path)).toBe('tray-paused.png');
    expect(tray.image.isEmpty()).toBe(false);

    tray.click('pause');
    await until(() => tray.item('pause')?.label === 'Pause dispatch', 'menu rebuilt after resuming');
    expect(path.basename(tray.image.path)).toBe('tray-sandbox.png');
    expect(tray.tooltip).toContain('sandbox');

    tray.click('mode-real');
    await until(() => tray.item('mode-real')?.checked === true, 'real mode checked');
    expect(path.basename(tray.image.path)).toBe('tray-real.png');
    expect(tray.tooltip).toContain('REAL delivery');

    // a plain click opens the window on Linux and Windows
    tray.emit('click');
    expect(log).toContain('open');
    controller.destroy();
    expect(tray.destroyed).toBe(true);
    // updates after destruction are ignored
    controller.render(await status.refresh());
  });

  it('macOS uses template images for every state', () => {
    for (const state of ['sandbox', 'real', 'paused', 'failing'] as const) {
      const p = trayIconPath(RESOURCES, state, 'darwin');
      expect(path.basename(p)).toBe(`tray-${state}Template.png`);
      expect(new FakeImage(p).isEmpty()).toBe(false);
      expect(new FakeImage(p.replace('.png', '@2x.png')).isEmpty()).toBe(false);
    }
  });
});
