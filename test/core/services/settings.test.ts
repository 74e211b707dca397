import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeSettings } from '../../../src/core/settings/runtime-settings.js';
import { createControlService } from '../../../src/core/services/control.js';
import { createSettingsService } from '../../../src/core/services/settings.js';
import { makeContext, type TestContext } from '../../support/relay/context.js';

let t: TestContext | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function setup() {
  t = await makeContext({ settings: { client_sync_url: null } });
  const ctx = t;
  const heard: string[] = [];
  for (const name of ['settings', 'dispatch.wake', 'report.wake'] as const) ctx.bus.on(name, () => heard.push(name));
  const service = createSettingsService({ settings: ctx.settings, store: ctx.store.settings, addresses: () => ({ smtp: { host: '127.0.0.1', port: 2525 }, url: 'http://127.0.0.1:8000' }) });
  return { ...ctx, heard, service };
}

describe('runtime settings', () => {
  it('apply at once, persist, then announce the change and the work it unblocks', async () => {
    const s = await setup();
    const pending = s.settings.update({ paused: true });
    // current() sees the change before it is on disk, and nothing is announced yet
    expect(s.settings.current().paused).toBe(true);
    expect(s.heard).toEqual([]);
    await pending;
    expect(s.heard).toEqual(['settings', 'dispatch.wake']);
    expect(await s.store.settings.get('runtime')).toMatchObject({ paused: true });

    s.heard.length = 0;
    await s.settings.update({ paused: false });
    // resuming wakes reporting too: piled-up outcomes go out at once (the one place that says so)
    expect(s.heard).toEqual(['settings', 'dispatch.wake', 'report.wake']);
    s.heard.length = 0;
    await s.settings.update({ client_sync_url: 'http://127.0.0.1:9/sync' });
    expect(s.heard).toEqual(['settings', 'report.wake']);
    s.heard.length = 0;
    await s.settings.update({ retention_seconds: 60 });
    expect(s.heard).toEqual(['settings']);
  });

  it('are read back from the store, secrets decoded, with the run’s overrides on top', async () => {
    const s = await setup();
    const codec = { encode: (v: string) => `enc:${v}`, decode: (v: string) => v.replace(/^enc:/, '') };
    const first = await RuntimeSettings.load({ store: s.store.settings, bus: s.bus, config: s.config, secrets: codec });
    await first.update({ client_sync_password: 'pw', delivery_mode: 'real', report_interval_seconds: 30 });
    expect(await s.store.settings.get('runtime')).toMatchObject({ client_sync_password: 'enc:pw' });
    const again = await RuntimeSettings.load({ store: s.store.settings, bus: s.bus, config: s.config, secrets: codec, overrides: { report_interval_seconds: 99 } });
    expect(again.current()).toMatchObject({ client_sync_password: 'pw', delivery_mode: 'real', report_interval_seconds: 99 });
    expect(again.publicView()).toMatchObject({ client_sync_password_set: true });
    expect(again.publicView()).not.toHaveProperty('client_sync_password');
  });
});

describe('settings and control services', () => {
  it('show the settings without secrets, with where to reach the relay', async () => {
    const s = await setup();
    const view = await s.service.update({ client_sync_password: 'secret' });
    expect(view).toMatchObject({ client_sync_password_set: true, smtp: { host: '127.0.0.1', port: 2525 }, api: { url: 'http://127.0.0.1:8000' } });
    expect(JSON.stringify(view)).not.toContain('secret');
  });

  it('keep the preferences of an embedding shell, never over the runtime row', async () => {
    const s = await setup();
    expect(await s.service.readPref('desktop')).toBeUndefined();
    await s.service.writePref('desktop', { notificationsMuted: true });
    expect(await s.service.readPref('desktop')).toEqual({ notificationsMuted: true });
    await expect(s.service.writePref('runtime', {})).rejects.toMatchObject({ status: 400 });
    await expect(s.service.readPref('runtime')).rejects.toMatchObject({ status: 400 });
  });

  it('suspend, activate and run-now announce through the settings and the wakes', async () => {
    const s = await setup();
    const control = createControlService({ settings: s.settings, bus: s.bus });
    await control.suspend();
    expect(control.active()).toBe(false);
    s.heard.length = 0;
    await control.activate();
    expect(control.active()).toBe(true);
    expect(s.heard).toEqual(['settings', 'dispatch.wake', 'report.wake']);
    s.heard.length = 0;
    control.runNow();
    expect(s.heard).toEqual(['dispatch.wake', 'report.wake']);
  });
});
