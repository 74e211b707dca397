import { describe, expect, it } from 'vitest';
import { RelayBus } from '../../../src/core/events.js';
import { RuntimeSettings } from '../../../src/core/settings/runtime-settings.js';
import { tempDir } from '../../support/common/temp-dir.js';
import { waitFor } from '../../support/common/wait.js';
import { startRelays, useRelayFleet, withDb } from '../../support/multi-relay/relays.js';
import { testConfig, TEST_TOKEN, type TestRelay } from '../../support/relay/test-relay.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

async function patchSettings(relay: TestRelay, body: unknown): Promise<number> {
  const r = await fetch(`${relay.url}/api/settings`, { method: 'PATCH', headers: { 'X-API-Token': TEST_TOKEN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return r.status;
}

async function settingsOf(relay: TestRelay): Promise<{ paused: boolean; delivery_mode: string; client_sync_url: string | null }> {
  return (await (await fetch(`${relay.url}/api/settings`, { headers: { 'X-API-Token': TEST_TOKEN } })).json()) as never;
}

/** Two relays changing different settings at the same moment: both changes take effect everywhere (issue #19). */
describe.skipIf(!pgTestsEnabled())('settings changed on two relays at once (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  const fleet = useRelayFleet();

  it('an update writes only its keys: a relay that has not heard of the other’s change yet does not undo it', async () => {
    const { store, remove } = await openTempPgStore(cluster());
    try {
      const config = testConfig(tempDir('gmr-settings-race-'));
      // two relays' settings over one row, before either reloads what the other wrote
      const one = await RuntimeSettings.load({ store: store.settings, bus: new RelayBus(), config });
      const two = await RuntimeSettings.load({ store: store.settings, bus: new RelayBus(), config });
      await one.update({ paused: true });
      await two.update({ client_sync_url: 'http://127.0.0.1:9/sync', delivery_mode: 'sandbox' });
      const fresh = await RuntimeSettings.load({ store: store.settings, bus: new RelayBus(), config });
      expect(fresh.current()).toMatchObject({ paused: true, client_sync_url: 'http://127.0.0.1:9/sync', delivery_mode: 'sandbox' });
      expect(await two.reload()).toEqual(['paused']);
      expect(two.current().paused).toBe(true);
    } finally {
      await remove();
    }
  });

  it('one relay pauses while the other changes the sync URL and delivery mode: both relays end with both changes', async () => {
    const dbUrl = await cluster().createDatabase();
    const [a, b] = fleet.relays(await startRelays(2, dbUrl));
    const statuses = await Promise.all([
      patchSettings(a, { paused: true }),
      patchSettings(b, { client_sync_url: 'http://127.0.0.1:9/sync', delivery_mode: 'sandbox' }),
    ]);
    expect(statuses).toEqual([200, 200]);
    const both = { paused: true, delivery_mode: 'sandbox', client_sync_url: 'http://127.0.0.1:9/sync' };
    for (const relay of [a, b]) {
      await waitFor(async () => {
        const s = await settingsOf(relay);
        return s.paused && s.delivery_mode === 'sandbox' && s.client_sync_url === both.client_sync_url;
      }, 'both changes applied on the relay');
    }
    const row = await withDb(dbUrl, async (db) => (await db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'runtime'")).rows[0]);
    expect(JSON.parse(row.value)).toMatchObject(both);
  }, 60_000);
});
