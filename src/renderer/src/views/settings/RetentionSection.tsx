import { useEffect, useState, type FormEvent } from 'react';
import type { ReportStatus, Settings } from '../../api/types.js';
import { formatDateTime } from '../../lib/format.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Field } from '../../components/Field.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay } from '../../state/relay-context.js';
import { retentionFormFrom, retentionPatch, validateRetentionForm, type RetentionForm } from './settings-form.js';

export function RetentionSection({ settings }: { settings: Settings }) {
  const { updateSettings, stats } = useRelay();
  const lastPass = stats?.report && 'retention' in stats.report ? (stats.report as ReportStatus).retention : null;
  const [form, setForm] = useState<RetentionForm>(() => retentionFormFrom(settings));
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const errors = validateRetentionForm(form);

  useEffect(() => {
    if (!dirty) setForm(retentionFormFrom(settings));
  }, [settings, dirty]);

  const set = (k: keyof RetentionForm, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setDirty(true);
    setSaved(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(errors).length) return;
    try {
      const patch = retentionPatch(settings, form);
      if (Object.keys(patch).length) await updateSettings(patch);
      setDirty(false);
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section className="card settings-card" aria-labelledby="retention-h">
      <h3 id="retention-h">Retention</h3>
      {lastPass ? (
        <p className="muted small" role="status">
          Last purge {formatDateTime(lastPass.ts)}: {lastPass.reported + lastPass.unreported} old message
          {lastPass.reported + lastPass.unreported === 1 ? '' : 's'} removed.
        </p>
      ) : null}
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Keep reported messages (days)" error={errors.retentionDays} hint="Purged once reported and older than this. 0 keeps them.">
          <input inputMode="decimal" value={form.retentionDays} onChange={(e) => set('retentionDays', e.target.value)} />
        </Field>
        <div className="field-row">
          <Field label="Captured mail: keep at most" error={errors.sinkCount} hint="Oldest go first.">
            <input inputMode="numeric" value={form.sinkCount} onChange={(e) => set('sinkCount', e.target.value)} />
          </Field>
          <Field label="Captured mail: max age (days)" error={errors.sinkAgeDays} hint="0: no age limit.">
            <input inputMode="decimal" value={form.sinkAgeDays} onChange={(e) => set('sinkAgeDays', e.target.value)} />
          </Field>
        </div>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!dirty || Object.keys(errors).length > 0}>
            Save
          </button>
          {saved ? <span className="ok small" role="status">Saved</span> : null}
        </div>
      </form>
    </section>
  );
}
