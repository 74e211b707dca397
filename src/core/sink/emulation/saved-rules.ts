import { emulationConfig, type EmulationConfig } from '../../../shared/api/emulation.js';
import type { SettingsPort } from '../../store/ports.js';

/** the settings row holding the rules set through the API or the UI */
export const EMULATION_SETTINGS_KEY = 'emulation';

export interface LoadedEmulation {
  config: EmulationConfig;
  /** `api`: the saved rules win over config.ini's until they are deleted */
  source: 'api' | 'config';
}

/** The rules in force: those saved through the API if any (and still valid), else config.ini's. */
export async function loadEmulation(store: Pick<SettingsPort, 'get'> | undefined, defaults: EmulationConfig): Promise<LoadedEmulation> {
  const saved = store ? await store.get<unknown>(EMULATION_SETTINGS_KEY) : undefined;
  if (saved === undefined || saved === null) return { config: defaults, source: 'config' };
  const r = emulationConfig.safeParse(saved);
  return r.success ? { config: r.data, source: 'api' } : { config: defaults, source: 'config' };
}
