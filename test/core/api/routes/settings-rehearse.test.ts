import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** The limits rehearsal setting (#18.5) through GET/PATCH /api/settings. */
describe('/api/settings: sandbox_rehearse_limits', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('is off by default; a PATCH turns it on, persisted', async () => {
    expect((await (await t.api('/api/settings')).json()).sandbox_rehearse_limits).toBe(false);
    const r = await t.api('/api/settings', { method: 'PATCH', json: { sandbox_rehearse_limits: true } });
    expect(r.status).toBe(200);
    expect((await r.json()).sandbox_rehearse_limits).toBe(true);
    expect(t.relay.ctx.settings.current().sandbox_rehearse_limits).toBe(true);
    expect((await t.relay.store.settings.get<Record<string, unknown>>('runtime'))?.sandbox_rehearse_limits).toBe(true);
  });

  it('rejects a value that is not a boolean with 422 naming the field, changing nothing', async () => {
    const before = t.relay.ctx.settings.current().sandbox_rehearse_limits;
    for (const bad of ['yes', 1, null]) {
      const r = await t.api('/api/settings', { method: 'PATCH', json: { sandbox_rehearse_limits: bad } });
      expect(r.status).toBe(422);
      expect((await r.json()).error.fields[0].field).toBe('sandbox_rehearse_limits');
    }
    expect(t.relay.ctx.settings.current().sandbox_rehearse_limits).toBe(before);
  });
});
