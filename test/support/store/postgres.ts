import { afterAll, beforeAll } from 'vitest';
import { openPostgresStore, type PgStoreOptions, type PostgresStore } from '../../../src/core/store/postgres/store.js';
import { startCluster, type PgCluster } from '../postgres/cluster.js';

export { pgTestsEnabled } from '../postgres/cluster.js';

/**
 * One throwaway cluster per test file (started in beforeAll, stopped in afterAll), so that each file
 * runs alone or in parallel with others without sharing a server; every store gets a fresh database.
 * Call it only when pgTestsEnabled().
 */
export function usePgCluster(): { cluster: () => PgCluster } {
  let cluster: PgCluster | null = null;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  return {
    cluster: () => {
      if (!cluster) throw new Error('no cluster: use it inside a test');
      return cluster;
    },
  };
}

const TEMPLATE = 'gmr_migrated';
const migrated = new WeakMap<PgCluster, Promise<void>>();

/** A database the store has migrated once: fresh databases copy it rather than run every migration again. */
function migratedTemplate(cluster: PgCluster): Promise<void> {
  let ready = migrated.get(cluster);
  if (!ready) {
    ready = cluster.createDatabase({ name: TEMPLATE }).then(async (url) => (await openPostgresStore({ url })).close());
    migrated.set(cluster, ready);
  }
  return ready;
}

/** A PostgreSQL store on a fresh database of the cluster (schema already migrated, as a relay finds it after its first start). */
export async function openTempPgStore(
  cluster: PgCluster,
  opts: Omit<PgStoreOptions, 'url'> = {},
): Promise<{ store: PostgresStore; url: string; remove: () => Promise<void> }> {
  await migratedTemplate(cluster);
  const url = await cluster.createDatabase({ template: TEMPLATE });
  const store = await openPostgresStore({ ...opts, url });
  return {
    store,
    url,
    /** closes the store and drops its database */
    remove: async () => {
      await store.close();
      await cluster.dropDatabase(url);
    },
  };
}
