import fs from 'node:fs';
import type { Logger } from 'pino';
import { afterEach } from 'vitest';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import type { RelayConfig } from '../../../src/core/config/types.js';
import { RelayBus } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/core/logger.js';
import { RuntimeSettings, type RuntimeSettingsValues } from '../../../src/core/settings/runtime-settings.js';
import { openStore, type SqliteStore } from '../../../src/core/store/index.js';
import { testConfig, type ConfigPatch } from './test-relay.js';
import { tempDir } from '../common/temp-dir.js';

export interface TestContext {
  store: SqliteStore;
  bus: RelayBus;
  clock: Clock;
  config: RelayConfig;
  settings: RuntimeSettings;
  logger: Logger;
  close(): Promise<void>;
}

/** The relay's parts without a relay: a real store in a temp dir, a bus, runtime settings and a manual clock. */
export async function makeContext(
  opts: { clock?: Clock; config?: ConfigPatch; settings?: Partial<RuntimeSettingsValues> } = {},
): Promise<TestContext> {
  const dir = tempDir('gmr-report-');
  const config = testConfig(dir, opts.config);
  const bus = new RelayBus();
  const store = await openStore({
    path: config.dbPath,
    onMessageEvents: (evs) => bus.emit('messages', evs),
    onAccountsChanged: (ids) => bus.emit('accounts', { ids }),
    onTenantsChanged: (ids) => bus.emit('tenants', { ids }),
  });
  const settings = await RuntimeSettings.load({ store: store.settings, bus, config, overrides: opts.settings });
  const clock = opts.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  return {
    store,
    bus,
    clock,
    config,
    settings,
    logger: silentLogger(),
    async close() {
      bus.removeAllListeners();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For a test file: each call of the returned function opens a context that is closed after its test. */
export function contextPerTest(opts: Parameters<typeof makeContext>[0] = {}): () => Promise<TestContext> {
  const open: TestContext[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  return async () => {
    const c = await makeContext(opts);
    open.push(c);
    return c;
  };
}

/** The settings and wake announcements the bus carries from now on, by name, in order. */
export function heardAnnouncements(bus: RelayBus): string[] {
  const heard: string[] = [];
  for (const name of ['settings', 'dispatch.wake', 'report.wake'] as const) bus.on(name, () => heard.push(name));
  return heard;
}
