import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { RelayConfig } from './config/types.js';
import type { RelayBus } from './events.js';
import type { SyncStore } from './store/index.js';
import type { RuntimeSettings } from './settings/runtime-settings.js';

/** What the composition root shares with entry points and tests (Relay.ctx): never the store. */
export interface CoreContext {
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  bus: RelayBus;
  settings: RuntimeSettings;
}

/**
 * Temporary: the dispatcher's deps until it takes narrow ones on the store ports (engine branch);
 * nothing else may use it. Goes away with the synchronous store.
 */
export interface RelayContext extends CoreContext {
  store: SyncStore;
}
