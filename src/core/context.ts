import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { RelayConfig } from './config/types.js';
import type { RelayBus } from './events.js';
import type { RuntimeSettings } from './settings/runtime-settings.js';

/** What the composition root shares with entry points and tests (Relay.ctx): never the store. */
export interface CoreContext {
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  bus: RelayBus;
  settings: RuntimeSettings;
}
