import { describe, expect, it } from 'vitest';
import { RuntimeSettings } from '../../../src/core/settings/runtime-settings.js';
import { contextPerTest, heardAnnouncements } from '../../support/relay/context.js';

const context = contextPerTest({ settings: { client_sync_url: null } });

/** A context with no sync URL, and the announcements it heard. */
async function setup() {
  const ctx = await context();
  return { ...ctx, heard: heardAnnouncements(ctx.bus) };
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
