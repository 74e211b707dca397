import { useEffect, useState, type FormEvent } from 'react';
import type { ReportResult, Settings } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Field } from '../../components/Field.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay, useRelayEvent } from '../../state/relay-context.js';
import { LastReport } from './LastReport.js';
import { syncFormFrom, syncPatch, validateSyncForm, type SyncForm } from './settings-form.js';

function isReport(x: unknown): x is ReportResult {
  return !!x && typeof x === 'object' && typeof (x as ReportResult).ts === 'number' && typeof (x as ReportResult).ok === 'boolean';
}

/** Where delivery reports go (genro-mail-proxy `proxy_sync`), and how the last one went. */
export function SyncSection({ settings }: { settings: Settings }) {
  const { updateSettings, stats } = useRelay();
  const [form, setForm] = useState<SyncForm>(() => syncFormFrom(settings));
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [report, setReport] = useState<ReportResult | null>(null);
  const errors = validateSyncForm(form);

  useEffect(() => {
    if (!dirty) setForm(syncFormFrom(settings));
  }, [settings, dirty]);
  useRelayEvent('report', (d) => isReport(d) && setReport(d));

  const set = <K extends keyof SyncForm>(k: K, v: SyncForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setDirty(true);
    setSaved(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(errors).length) return;
    const patch = syncPatch(settings, form);
    try {
      if (Object.keys(patch).length) await updateSettings(patch);
      setDirty(false);
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

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
          <button type="submit" className="btn btn-primary" disabled={!dirty || Object.keys(errors).length > 0}>
            Save
          </button>
          {dirty ? (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setForm(syncFormFrom(settings));
                setDirty(false);
              }}
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
