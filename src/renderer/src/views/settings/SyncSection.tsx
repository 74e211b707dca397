import { useState } from 'react';
import type { ReportOutcome, Settings } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Field } from '../../components/Field.js';
import { useRelay, useRelayEvent } from '../../state/relay-context.js';
import { LastReport } from './LastReport.js';
import { syncFormFrom, syncPatch, validateSyncForm } from './settings-form.js';
import { useSettingsForm } from './use-settings-form.js';

/** Where delivery reports go (genro-mail-proxy `proxy_sync`), and how the last one went. */
export function SyncSection({ settings }: { settings: Settings }) {
  const { stats } = useRelay();
  const [report, setReport] = useState<ReportOutcome | null>(null);
  const { form, set, errors, invalid, dirty, error, saved, submit, discard } = useSettingsForm(settings, {
    formFrom: syncFormFrom,
    validate: validateSyncForm,
    patch: syncPatch,
  });
  useRelayEvent('report', setReport);

  return (
    <section className="card settings-card" aria-labelledby="sync-h">
      <h3 id="sync-h">Delivery reports to your application</h3>
      <p className="muted small">
        Final outcomes are POSTed as <code>{'{"delivery_report": [...]}'}</code> to this URL (genro-mail-proxy <code>proxy_sync</code>).
      </p>
      <p className="last-report" role="status">
        <LastReport report={stats?.report} latest={report} />
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Sync URL" error={errors.url} hint="Empty: reports are kept but not sent.">
          <input value={form.url} onChange={(e) => set('url', e.target.value)} placeholder="https://app.example.com/mail-proxy/sync" autoComplete="off" />
        </Field>
        <div className="field-row">
          <Field label="Basic auth user" error={errors.user}>
            <input value={form.user} onChange={(e) => set('user', e.target.value)} autoComplete="off" />
          </Field>
          <Field label="Basic auth password" hint={settings.client_sync_password_set ? 'A password is set; type to replace it.' : 'Not set.'}>
            <input type="password" value={form.password} disabled={form.clearPassword} onChange={(e) => set('password', e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        {settings.client_sync_password_set ? (
          <label className="check">
            <input type="checkbox" checked={form.clearPassword} onChange={(e) => set('clearPassword', e.target.checked)} /> Remove the stored password
          </label>
        ) : null}
        <Field label="Bearer token" error={errors.token} hint={settings.client_sync_token_set ? 'A token is set; type to replace it.' : 'Used instead of basic auth when set.'}>
          <input type="password" value={form.token} disabled={form.clearToken} onChange={(e) => set('token', e.target.value)} autoComplete="off" />
        </Field>
        {settings.client_sync_token_set ? (
          <label className="check">
            <input type="checkbox" checked={form.clearToken} onChange={(e) => set('clearToken', e.target.checked)} /> Remove the stored token
          </label>
        ) : null}
        <Field label="Sync interval (seconds)" error={errors.interval} hint="Heartbeat when there is nothing to report.">
          <input inputMode="numeric" value={form.interval} onChange={(e) => set('interval', e.target.value)} />
        </Field>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!dirty || invalid}>
            Save
          </button>
          {dirty ? (
            <button
              type="button"
              className="btn"
              onClick={discard}
            >
              Discard changes
            </button>
          ) : null}
          {saved ? <span className="ok small" role="status">Saved</span> : null}
        </div>
      </form>
    </section>
  );
}
