import nodemailer from 'nodemailer';
import { describe, expect } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import { apiSettingsText, buildTrayMenuTemplate, formatTooltip, smtpSettingsText } from '../../../src/main/tray/tray-menu.js';
import { payload, relayActions, itOnPausedRelay } from '../../support/main/tray-relay.js';
import { waitFor } from '../../support/common/wait.js';

describe('tray menu, tooltip and clipboard texts from the relay state', () => {
  itOnPausedRelay('builds the menu from the state and its items change the relay', async ({ t, status }) => {
    await t.relay.store.messages.enqueue([payload('a'), payload('b')], nowSec(t.relay.ctx.clock));
    const snap = await status.refresh();
    const log: string[] = [];
    const template = buildTrayMenuTemplate(snap, { startAtLogin: false, notificationsMuted: true, rehearseLimits: false }, relayActions(t, log));
    const byId = new Map(template.filter((i) => i.id).map((i) => [i.id!, i]));

    expect(byId.get('status')?.label).toBe('Paused (sandbox)');
    expect(byId.get('count-pending')?.label).toBe('Queued: 2');
    expect(byId.get('count-failed')?.label).toBe('Failed: 0');
    expect(byId.get('mode-sandbox')).toMatchObject({ type: 'radio', checked: true });
    expect(byId.get('mode-real')).toMatchObject({ type: 'radio', checked: false });
    expect(byId.get('pause')?.label).toBe('Resume dispatch');
    expect(byId.get('mute')).toMatchObject({ type: 'checkbox', checked: true });
    expect(byId.get('login')).toMatchObject({ type: 'checkbox', checked: false });
    expect(byId.get('rehearse-limits')).toMatchObject({ type: 'checkbox', checked: false });

    byId.get('pause')!.click!();
    expect(t.relay.ctx.settings.current().paused).toBe(false);
    byId.get('mode-real')!.click!();
    expect(t.relay.ctx.settings.current().delivery_mode).toBe('real');
    // persisted: a settings read from the database sees it
    await waitFor(async () => (await t.relay.store.settings.get<{ delivery_mode: string }>('runtime'))?.delivery_mode === 'real', 'persisted');
    expect(await t.relay.store.settings.get<{ delivery_mode: string; paused: boolean }>('runtime')).toMatchObject({
      delivery_mode: 'real',
      paused: false,
    });
    byId.get('rehearse-limits')!.click!();
    expect(t.relay.ctx.settings.current().sandbox_rehearse_limits).toBe(true);
    const on = buildTrayMenuTemplate(snap, { startAtLogin: false, notificationsMuted: true, rehearseLimits: true }, relayActions(t, log));
    expect(on.find((i) => i.id === 'rehearse-limits')).toMatchObject({ type: 'checkbox', checked: true });
    byId.get('mute')!.click!();
    byId.get('login')!.click!();
    byId.get('quit')!.click!();
    expect(log).toEqual(['mute:false', 'login:true', 'quit']);
  });

  itOnPausedRelay('omits start at login where the platform has none; counts unread captured mail', async ({ t, status }) => {
    const snap = await status.refresh();
    const template = buildTrayMenuTemplate(snap, { startAtLogin: null, notificationsMuted: false, rehearseLimits: false }, relayActions(t, []));
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
    await waitFor(async () => (await status.refresh()).capturedUnread === 2, 'two unread captured messages');
    const [first, second] = (await t.relay.store.captured.list({ limit: 10 })).items;
    // reading announces nothing on the bus: the periodic recount (or any event) picks it up
    expect((await t.api(`/api/captured/${first.id}`)).status).toBe(200);
    expect((await status.refresh()).capturedUnread).toBe(1);
    // a delete is announced, and the tray recounts by itself
    expect((await t.api(`/api/captured/${second.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    await waitFor(() => status.snapshot().capturedUnread === 0, 'recount after a delete');
  });

  itOnPausedRelay('tooltip and clipboard texts carry the state and connection details', async ({ t, status }) => {
    const snap = await status.refresh();
    expect(formatTooltip(snap)).toBe('Genro Mail Relay — paused (sandbox) · 0 queued · 0 failed · 0 captured unread');
    const long = formatTooltip({ ...snap, deliveryProblem: 'x'.repeat(500) });
    expect(long.length).toBeLessThanOrEqual(127);
    expect(smtpSettingsText(snap)).toContain(`SMTP port: ${t.relay.addresses().smtp.port}`);
    expect(apiSettingsText(snap)).toBe(`API URL: ${t.url}\nAPI token: ${t.token}`);
  });
});
