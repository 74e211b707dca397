import { describe, expect, it } from 'vitest';
import { createControlService } from '../../../src/core/services/control.js';
import { ADMIN } from '../../../src/core/services/scope.js';
import { contextPerTest, heardAnnouncements } from '../../support/relay/context.js';

const context = contextPerTest({ settings: { client_sync_url: null } });

async function setup() {
  const ctx = await context();
  return { ...ctx, heard: heardAnnouncements(ctx.bus) };
}

describe('control service', () => {
  it('suspend, activate and run-now announce through the settings and the wakes', async () => {
    const s = await setup();
    const tenants = { suspend: async () => Promise.reject(new Error('no tenant named')), activate: async () => Promise.reject(new Error('no tenant named')) };
    const synced: (string | null)[] = [];
    const control = createControlService({ settings: s.settings, bus: s.bus, tenants, reporting: { runNow: (t) => synced.push(t) } });
    expect(await control.suspend(ADMIN, {})).toEqual({ ok: true, active: false });
    expect(control.active()).toBe(false);
    s.heard.length = 0;
    expect(await control.activate(ADMIN, {})).toEqual({ ok: true, active: true });
    expect(control.active()).toBe(true);
    expect(s.heard).toEqual(['settings', 'dispatch.wake', 'report.wake']);
    s.heard.length = 0;
    control.runNow(ADMIN, {});
    expect(s.heard).toEqual(['dispatch.wake', 'report.wake']);
    s.heard.length = 0;
    // the admin token syncs every application, or the one it names; a tenant token its own
    control.runNow(ADMIN, { tenant_id: 'acme' });
    control.runNow({ kind: 'tenant', tenantId: 'beta' }, {});
    expect(synced).toEqual([null, 'acme', 'beta']);
    expect(s.heard).toEqual(['dispatch.wake', 'dispatch.wake']);
    expect(() => control.runNow({ kind: 'tenant', tenantId: 'beta' }, { tenant_id: 'acme' })).toThrow('Token not authorized for this tenant');
    expect(synced).toHaveLength(3);
  });
});
