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

  it('drop the stored sync password and token when the sync URL moves to another origin, and say so (#17.2)', async () => {
    const s = await setup();
    await s.service.update({ client_sync_url: 'https://app.example/proxy_sync', client_sync_password: 'pw', client_sync_token: 'tok' });
    const samePlace = await s.service.update({ client_sync_url: 'https://app.example/other/proxy_sync' });
    expect(samePlace).toMatchObject({ client_sync_password_set: true, client_sync_token_set: true });
    expect(samePlace).not.toHaveProperty('secrets_dropped');

    const moved = await s.service.update({ client_sync_url: 'https://evil.example/proxy_sync' });
    expect(moved).toMatchObject({
      client_sync_password_set: false,
      client_sync_token_set: false,
      secrets_dropped: ['client_sync_password', 'client_sync_token'],
      message: expect.stringContaining('origin changed from https://app.example to https://evil.example'),
    });
    expect(s.settings.current()).toMatchObject({ client_sync_password: null, client_sync_token: null });
  });

  it('take the secrets resent with the new URL', async () => {
    const s = await setup();
    await s.service.update({ client_sync_url: 'https://app.example/proxy_sync', client_sync_password: 'pw' });
    const moved = await s.service.update({ client_sync_url: 'http://127.0.0.1:9000/proxy_sync', client_sync_password: 'pw2' });
    expect(moved).not.toHaveProperty('secrets_dropped');
    expect(s.settings.current().client_sync_password).toBe('pw2');
  });

  it('never show user:password@ of the sync URL; sending the URL back as shown keeps it', async () => {
    const s = await setup();
    const frames: unknown[] = [];
    s.bus.on('settings', (f) => frames.push(f));
    const view = await s.service.update({ client_sync_url: 'https://sync:hunter2@app.example/proxy_sync' });
    expect(view.client_sync_url).toBe('https://app.example/proxy_sync');
    expect(JSON.stringify(frames)).not.toContain('hunter2');
    expect(JSON.stringify(s.service.view())).not.toContain('hunter2');
    await s.service.update({ client_sync_url: 'https://app.example/proxy_sync', report_interval_seconds: 60 });
    expect(s.settings.current().client_sync_url).toBe('https://sync:hunter2@app.example/proxy_sync');
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
