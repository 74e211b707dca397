import type { Settings } from '../../shared/api/settings.js';
import { RelayError } from '../errors.js';
import { RUNTIME_SETTINGS_KEY, type RuntimeSettings, type RuntimeSettingsValues } from '../settings/runtime-settings.js';
import type { SettingsPort } from '../store/ports.js';
import { hasUrlCredentials, withoutUrlCredentials } from '../secrets/url-credentials.js';
import { droppedSecrets, originChange, secretFate, type DroppedSecrets } from './secret-scope.js';

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
  /**
   * applies at once, persists, then announces the change (see RuntimeSettings.update); a sync URL
   * with another origin drops the stored sync password and token unless the patch gives them
   */
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
      const { applied, dropped } = scopedPatch(settings.current(), patch);
      await settings.update(applied);
      return { ...view(), ...dropped };
    },
    readPref: async <T>(key: string) => store.get<T>(prefKey(key)),
    writePref: async (key, value) => store.set(prefKey(key), value),
  };
}

/**
 * The patch as applied: a URL shown without its credentials and sent back unchanged keeps the stored
 * one; a new origin drops the stored sync secrets the patch does not give.
 */
export function scopedPatch(
  current: Readonly<RuntimeSettingsValues>,
  patch: Partial<RuntimeSettingsValues>,
): { applied: Partial<RuntimeSettingsValues>; dropped: DroppedSecrets | null } {
  const applied = { ...patch };
  const url = current.client_sync_url;
  if (applied.client_sync_url !== undefined && hasUrlCredentials(url) && applied.client_sync_url === withoutUrlCredentials(url)) {
    delete applied.client_sync_url;
  }
  const serverChange = applied.client_sync_url === undefined ? null : originChange(url, applied.client_sync_url);
  const fates = {
    client_sync_password: secretFate({ given: applied.client_sync_password !== undefined, stored: !!current.client_sync_password, serverChange }),
    client_sync_token: secretFate({ given: applied.client_sync_token !== undefined, stored: !!current.client_sync_token, serverChange }),
  };
  for (const [name, fate] of Object.entries(fates)) if (fate.kind === 'dropped') Object.assign(applied, { [name]: null });
  return { applied, dropped: droppedSecrets(fates) };
}
