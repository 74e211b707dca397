import type { Settings } from '../../shared/api/settings.js';
import { RelayError } from '../errors.js';
import { RUNTIME_SETTINGS_KEY, type RuntimeSettings, type RuntimeSettingsValues } from '../settings/runtime-settings.js';
import type { SettingsPort } from '../store/ports.js';

/** Where the relay listens, once started. */
export interface ListenAddresses {
  smtp: { host: string; port: number };
  /** base URL of the API */
  url: string;
}

/** GET /api/settings: the settings without secrets, plus where to reach the relay. */
export type SettingsView = Settings;

export interface SettingsService {
  /** the live values (secrets included: for the desktop shell, never for an API answer) */
  current(): Readonly<RuntimeSettingsValues>;
  view(): SettingsView;
  /** applies at once, persists, then announces the change (see RuntimeSettings.update) */
  update(patch: Partial<RuntimeSettingsValues>): Promise<SettingsView>;
  /** a preference of an embedding shell (the desktop's), kept with the settings; never the runtime row */
  readPref<T>(key: string): Promise<T | undefined>;
  writePref(key: string, value: unknown): Promise<void>;
}

export interface SettingsServiceDeps {
  settings: RuntimeSettings;
  store: Pick<SettingsPort, 'get' | 'set'>;
  addresses: () => ListenAddresses;
}

export function createSettingsService(deps: SettingsServiceDeps): SettingsService {
  const { settings, store } = deps;
  const view = (): SettingsView => {
    const a = deps.addresses();
    return { ...settings.publicView(), smtp: a.smtp, api: { url: a.url } };
  };
  const prefKey = (key: string) => {
    if (key === RUNTIME_SETTINGS_KEY) throw new RelayError(400, 'bad_request', `'${key}' is not a preference`);
    return key;
  };
  return {
    current: () => settings.current(),
    view,
    async update(patch) {
      await settings.update(patch);
      return view();
    },
    readPref: async <T>(key: string) => store.get<T>(prefKey(key)),
    writePref: async (key, value) => store.set(prefKey(key), value),
  };
}
