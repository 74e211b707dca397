import type { RelayBus } from '../events.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';

/** genro-mail-proxy's commands for the whole relay: status, run-now, suspend, activate. */
export interface ControlService {
  /** dispatch and reporting are not suspended */
  active(): boolean;
  /** dispatch due messages and report outcomes now */
  runNow(): void;
  suspend(): Promise<void>;
  /** resumes; reporting wakes with the change (RuntimeSettings.update) */
  activate(): Promise<void>;
}

export function createControlService(deps: { settings: RuntimeSettings; bus: Pick<RelayBus, 'emit'> }): ControlService {
  const { settings, bus } = deps;
  return {
    active: () => !settings.current().paused,
    runNow() {
      bus.emit('dispatch.wake');
      bus.emit('report.wake');
    },
    async suspend() {
      await settings.update({ paused: true });
    },
    async activate() {
      await settings.update({ paused: false });
    },
  };
}
