import { describe, expect, it } from 'vitest';
import { createSettingsService } from '../../../src/core/services/settings.js';
import { contextPerTest } from '../../support/relay/context.js';

const context = contextPerTest({ settings: { client_sync_url: null } });

async function setup() {
  const ctx = await context();
  const service = createSettingsService({ settings: ctx.settings, store: ctx.store.settings, addresses: () => ({ smtp: { host: '127.0.0.1', port: 2525 }, url: 'http://127.0.0.1:8000' }) });
  return { ...ctx, service };
}

describe('settings service', () => {
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
});
