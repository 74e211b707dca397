import type { Settings } from '../../api/types.js';
import { formatDateTime } from '../../lib/format.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Field } from '../../components/Field.js';
import { useRelay } from '../../state/relay-context.js';
import { retentionFormFrom, retentionPatch, validateRetentionForm } from './settings-form.js';
import { useSettingsForm } from './use-settings-form.js';

export function RetentionSection({ settings }: { settings: Settings }) {
  const { stats } = useRelay();
  const lastPass = stats?.report?.retention ?? null;
  const { form, set, errors, invalid, dirty, error, saved, submit } = useSettingsForm(settings, {
    formFrom: retentionFormFrom,
    validate: validateRetentionForm,
    patch: retentionPatch,
  });

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
          <button type="submit" className="btn btn-primary" disabled={!dirty || invalid}>
            Save
          </button>
          {saved ? <span className="ok small" role="status">Saved</span> : null}
        </div>
      </form>
    </section>
  );
}
