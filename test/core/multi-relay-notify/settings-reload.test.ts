import { describe, expect, it } from 'vitest';
import { RuntimeSettings } from '../../../src/core/settings/runtime-settings.js';
import { contextPerTest, heardAnnouncements } from '../../support/relay/context.js';

const context = contextPerTest({ settings: { client_sync_url: null } });

/** RuntimeSettings.reload: what another relay wrote to the settings row, applied and announced as an update would be. */
describe('runtime settings reloaded after another relay changed them', () => {
  it('applies and announces only what changed, with the wakes an update would give', async () => {
    const ctx = await context();
    const codec = { encode: (v: string) => `enc:${v}`, decode: (v: string) => v.replace(/^enc:/, '') };
    const mine = await RuntimeSettings.load({ store: ctx.store.settings, bus: ctx.bus, config: ctx.config, secrets: codec });
    // "another relay": a second instance over the same row
    const other = await RuntimeSettings.load({ store: ctx.store.settings, bus: ctx.bus, config: ctx.config, secrets: codec });
    const heard = heardAnnouncements(ctx.bus);

    expect(await mine.reload()).toEqual([]);
    expect(heard).toEqual([]);

    await other.update({ paused: true, client_sync_password: 'pw' });
    heard.length = 0;
    expect((await mine.reload()).sort()).toEqual(['client_sync_password', 'paused']);
    expect(mine.current()).toMatchObject({ paused: true, client_sync_password: 'pw' });
    expect(heard).toEqual(['settings', 'dispatch.wake']);

    await other.update({ paused: false });
    heard.length = 0;
    await mine.reload();
    expect(heard).toEqual(['settings', 'dispatch.wake', 'report.wake']);
  });

  it('keeps this run’s overrides on top of what another relay wrote', async () => {
    const ctx = await context();
    const mine = await RuntimeSettings.load({ store: ctx.store.settings, bus: ctx.bus, config: ctx.config, overrides: { delivery_mode: 'sandbox' } });
    const other = await RuntimeSettings.load({ store: ctx.store.settings, bus: ctx.bus, config: ctx.config });
    await other.update({ delivery_mode: 'real', retention_seconds: 42 });
    expect(await mine.reload()).toEqual(['retention_seconds']);
    expect(mine.current()).toMatchObject({ delivery_mode: 'sandbox', retention_seconds: 42 });
  });
});
