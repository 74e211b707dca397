import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../src/renderer/src/api/types.js';
import {
  retentionFormFrom,
  retentionPatch,
  syncFormFrom,
  syncPatch,
  validateRetentionForm,
  validateSyncForm,
} from '../../../../src/renderer/src/views/settings/settings-form.js';
import { SETTINGS } from '../../../support/renderer/fake-relay.js';

const settings = { ...SETTINGS, client_sync_url: 'https://app.example/sync', client_sync_password_set: true } as Settings;

describe('sync settings form', () => {
  it('sends only what changed, and never an untouched secret', () => {
    const form = syncFormFrom(settings);
    expect(syncPatch(settings, form)).toEqual({});
    expect(syncPatch(settings, { ...form, user: 'bob' })).toEqual({ client_sync_user: 'bob' });
    expect(syncPatch(settings, { ...form, password: 's3cret' })).toEqual({ client_sync_password: 's3cret' });
    expect(syncPatch(settings, { ...form, password: 'ignored', clearPassword: true })).toEqual({ client_sync_password: null });
    expect(syncPatch(settings, { ...form, url: '  ' })).toEqual({ client_sync_url: null });
    expect(syncPatch(settings, { ...form, interval: '60', token: ' t ' })).toEqual({ report_interval_seconds: 60, client_sync_token: 't' });
  });

  it('validates the URL, single-line values and the interval', () => {
    const form = syncFormFrom(settings);
    expect(validateSyncForm(form)).toEqual({});
    expect(validateSyncForm({ ...form, url: 'ftp://x' }).url).toBeDefined();
    expect(validateSyncForm({ ...form, user: 'a\nb' }).user).toBeDefined();
    expect(validateSyncForm({ ...form, interval: '2' }).interval).toBeDefined();
    expect(validateSyncForm({ ...form, interval: 'abc' }).interval).toBeDefined();
  });
});

describe('retention form', () => {
  it('shows days and sends seconds', () => {
    const form = retentionFormFrom(settings);
    expect(form).toEqual({ retentionDays: '7', sinkCount: '5000', sinkAgeDays: '0' });
    expect(retentionPatch(settings, form)).toEqual({});
    expect(retentionPatch(settings, { ...form, retentionDays: '1.5', sinkAgeDays: '2' })).toEqual({
      retention_seconds: 129600,
      sink_retention_age_seconds: 172800,
    });
    expect(validateRetentionForm({ ...form, sinkCount: '0' }).sinkCount).toBeDefined();
    expect(validateRetentionForm({ ...form, retentionDays: '-1' }).retentionDays).toBeDefined();
  });
});
