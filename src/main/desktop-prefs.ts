import type { SettingsStore } from '../core/store/settings-store.js';

/** Preferences of the desktop shell, kept with the relay's settings in its database. */
export interface DesktopPrefValues {
  /** the user confirmed real delivery once; later switches need no confirmation */
  realModeConfirmed: boolean;
  notificationsMuted: boolean;
}

const KEY = 'desktop';
const DEFAULTS: DesktopPrefValues = { realModeConfirmed: false, notificationsMuted: false };

export class DesktopPrefs {
  private values: DesktopPrefValues;

  constructor(private readonly store: Pick<SettingsStore, 'get' | 'set'>) {
    this.values = { ...DEFAULTS, ...(store.get<Partial<DesktopPrefValues>>(KEY) ?? {}) };
  }

  current(): Readonly<DesktopPrefValues> {
    return this.values;
  }

  update(patch: Partial<DesktopPrefValues>): Readonly<DesktopPrefValues> {
    this.values = { ...this.values, ...patch };
    this.store.set(KEY, this.values);
    return this.values;
  }
}
