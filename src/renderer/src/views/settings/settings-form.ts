import type { Settings, SettingsPatch } from '../../api/types.js';

export interface SyncForm {
  url: string;
  user: string;
  /** typed only to change it; empty keeps the stored one */
  password: string;
  clearPassword: boolean;
  token: string;
  clearToken: boolean;
  interval: string;
}

export function syncFormFrom(s: Settings): SyncForm {
  return {
    url: s.client_sync_url ?? '',
    user: s.client_sync_user ?? '',
    password: '',
    clearPassword: false,
    token: '',
    clearToken: false,
    interval: String(s.report_interval_seconds),
  };
}

export type SyncErrors = Partial<Record<'url' | 'user' | 'token' | 'interval', string>>;

export function validateSyncForm(f: SyncForm): SyncErrors {
  const e: SyncErrors = {};
  const url = f.url.trim();
  if (url && !/^https?:\/\/[^\s]+$/i.test(url)) e.url = 'Must be an http:// or https:// URL';
  if (/[\r\n]/.test(f.user)) e.user = 'Must be a single line';
  if (/[\r\n]/.test(f.token)) e.token = 'Must be a single line';
  const n = Number(f.interval);
  if (!/^\d+$/.test(f.interval.trim()) || n < 5 || n > 86400) e.interval = 'Between 5 and 86400 seconds';
  return e;
}

/** Only what changed: an untouched secret is never sent (the API does not return it). */
export function syncPatch(s: Settings, f: SyncForm): SettingsPatch {
  const p: SettingsPatch = {};
  const url = f.url.trim() || null;
  const user = f.user.trim() || null;
  if (url !== (s.client_sync_url ?? null)) p.client_sync_url = url;
  if (user !== (s.client_sync_user ?? null)) p.client_sync_user = user;
  if (f.clearPassword) p.client_sync_password = null;
  else if (f.password) p.client_sync_password = f.password;
  if (f.clearToken) p.client_sync_token = null;
  else if (f.token.trim()) p.client_sync_token = f.token.trim();
  const interval = Number(f.interval);
  if (Number.isFinite(interval) && interval !== s.report_interval_seconds) p.report_interval_seconds = interval;
  return p;
}

export interface RetentionForm {
  /** days a reported message is kept (0: forever) */
  retentionDays: string;
  sinkCount: string;
  /** days captured mail is kept (0: no age limit) */
  sinkAgeDays: string;
}

const days = (seconds: number) => String(Math.round((seconds / 86400) * 100) / 100);

export function retentionFormFrom(s: Settings): RetentionForm {
  return { retentionDays: days(s.retention_seconds), sinkCount: String(s.sink_retention_count), sinkAgeDays: days(s.sink_retention_age_seconds) };
}

export type RetentionErrors = Partial<Record<keyof RetentionForm, string>>;

const DECIMAL = /^\d+(\.\d+)?$/;

export function validateRetentionForm(f: RetentionForm): RetentionErrors {
  const e: RetentionErrors = {};
  if (!DECIMAL.test(f.retentionDays.trim()) || Number(f.retentionDays) > 3650) e.retentionDays = 'Days, 0 to 3650 (0 keeps them forever)';
  if (!/^\d+$/.test(f.sinkCount.trim()) || Number(f.sinkCount) < 1 || Number(f.sinkCount) > 10_000_000) e.sinkCount = 'A whole number from 1 to 10,000,000';
  if (!DECIMAL.test(f.sinkAgeDays.trim()) || Number(f.sinkAgeDays) > 3650) e.sinkAgeDays = 'Days, 0 to 3650 (0: no age limit)';
  return e;
}

export function retentionPatch(s: Settings, f: RetentionForm): SettingsPatch {
  const p: SettingsPatch = {};
  const retention = Math.round(Number(f.retentionDays) * 86400);
  const count = Number(f.sinkCount);
  const age = Math.round(Number(f.sinkAgeDays) * 86400);
  if (retention !== s.retention_seconds) p.retention_seconds = retention;
  if (count !== s.sink_retention_count) p.sink_retention_count = count;
  if (age !== s.sink_retention_age_seconds) p.sink_retention_age_seconds = age;
  return p;
}
