import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { RelayConfig } from './config/types.js';
import type { RelayBus } from './events.js';
import type { SyncStore } from './store/index.js';
import type { RuntimeSettings } from './settings/runtime-settings.js';

/** What every core service gets from the composition root. */
export interface RelayContext {
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  /** the synchronous store, while callers move to the async ports (Relay.store) */
  store: SyncStore;
  bus: RelayBus;
  settings: RuntimeSettings;
}
