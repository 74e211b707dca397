import type { SettingsService } from '../core/services/index.js';

/** Preferences of the desktop shell, kept with the relay's settings in its database. */
export interface DesktopPrefValues {
  /** the user confirmed real delivery once; later switches need no confirmation */
  realModeConfirmed: boolean;
  notificationsMuted: boolean;
}

const KEY = 'desktop';
const DEFAULTS: DesktopPrefValues = { realModeConfirmed: false, notificationsMuted: false };

type PrefStore = Pick<SettingsService, 'readPref' | 'writePref'>;

/** Read once at start; the tray reads current() synchronously, update() persists in the background of the caller. */
export class DesktopPrefs {
  private constructor(
    private values: DesktopPrefValues,
    private readonly store: PrefStore,
  ) {}

  static async load(store: PrefStore): Promise<DesktopPrefs> {
    return new DesktopPrefs({ ...DEFAULTS, ...((await store.readPref<Partial<DesktopPrefValues>>(KEY)) ?? {}) }, store);
  }

  current(): Readonly<DesktopPrefValues> {
    return this.values;
  }

  /** Applies at once (current() sees it) and resolves once persisted. */
  async update(patch: Partial<DesktopPrefValues>): Promise<Readonly<DesktopPrefValues>> {
    this.values = { ...this.values, ...patch };
    await this.store.writePref(KEY, this.values);
    return this.values;
  }
}
