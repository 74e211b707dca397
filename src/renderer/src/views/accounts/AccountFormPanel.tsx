import { useState, type FormEvent } from 'react';
import type { AccountView, AccountInput } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Field } from '../../components/Field.js';
import { isTyping, useShortcuts } from '../../hooks/useShortcuts.js';
import { errorMessage } from '../../lib/errors.js';
import {
  EMPTY_FORM,
  PORT_PRESETS,
  TLS_LABELS,
  accountInputFromForm,
  formFromAccount,
  validateAccountForm,
  type AccountForm,
  type AccountFormErrors,
  type TlsMode,
} from './account-form.js';

/** Create or edit an SMTP account; validates as the user goes once they tried to save. */
export function AccountFormPanel({ original, accounts, onSave, onClose }: {
  original: AccountView | null;
  accounts: AccountView[];
  onSave: (input: AccountInput) => Promise<void>;
  onClose: () => void;
}) {
  const editing = original !== null;
  const [form, setForm] = useState<AccountForm>(() => (original ? formFromAccount(original) : EMPTY_FORM));
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const ctx = { editing, existingIds: accounts.map((a) => a.id), original };
  const errors: AccountFormErrors = touched ? validateAccountForm(form, ctx) : {};
  const set = <K extends keyof AccountForm>(k: K, v: AccountForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const others = accounts.filter((a) => a.id !== form.id.trim());

  // Escape in a field only leaves the field (no typed value is lost by accident)
  useShortcuts({ Escape: (e) => (isTyping(e.target) ? (e.target as HTMLElement).blur() : onClose()) });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    const found = validateAccountForm(form, ctx);
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0];
      (document.querySelector(`[data-field="${first}"]`) as HTMLElement | null)?.focus();
      return;
    }
    setSaving(true);
    try {
      await onSave(accountInputFromForm(form, original));
      setServerError(null);
    } catch (err) {
      setServerError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <aside className="pane detail-pane" aria-label={editing ? `Edit account ${original.id}` : 'New account'}>
      <header className="detail-head">
        <div className="detail-title">
          <h2>{editing ? `Edit ${original.id}` : 'New SMTP account'}</h2>
          <p className="muted small">Real delivery goes out through these servers. In sandbox mode they are not contacted.</p>
        </div>
        <button type="button" className="btn btn-icon" onClick={onClose} aria-label="Close account form" title="Close (Esc)">
          ×
        </button>
      </header>
      <form className="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Server</legend>
          <Field label="Account id" error={errors.id} hint="What your application sends as account_id.">
            <input data-field="id" value={form.id} readOnly={editing} onChange={(e) => set('id', e.target.value)} autoComplete="off" />
          </Field>
          <div className="field-row">
            <Field label="Host" error={errors.host}>
              <input data-field="host" value={form.host} onChange={(e) => set('host', e.target.value)} placeholder="smtp.example.com" autoComplete="off" />
            </Field>
            <Field label="Port" error={errors.port}>
              <input
                data-field="port"
                inputMode="numeric"
                list="smtp-ports"
                value={form.port}
                onChange={(e) => {
                  const port = e.target.value;
                  const preset = PORT_PRESETS.find((p) => p.port === port);
                  // 'auto' already follows the port; an explicit mode follows the preset picked
                  setForm((f) => ({ ...f, port, tls: f.tls === 'auto' || !preset ? f.tls : preset.tls }));
                }}
              />
            </Field>
            <datalist id="smtp-ports">
              {PORT_PRESETS.map((p) => (
                <option key={p.port} value={p.port}>
                  {p.label}
                </option>
              ))}
            </datalist>
          </div>
          <Field label="Security" hint={TLS_LABELS[form.tls]}>
            <select data-field="tls" value={form.tls} onChange={(e) => set('tls', e.target.value as TlsMode)}>
              <option value="auto">Automatic</option>
              <option value="tls">Implicit TLS (SMTPS)</option>
              <option value="starttls">STARTTLS / plain</option>
            </select>
          </Field>
        </fieldset>
        <fieldset>
          <legend>Authentication</legend>
          <div className="field-row">
            <Field label="User" error={errors.user} hint="Leave empty for a server that needs no login.">
              <input data-field="user" value={form.user} onChange={(e) => set('user', e.target.value)} autoComplete="off" />
            </Field>
            <Field
              label="Password"
              error={errors.password}
              hint={
                editing && original.password_set
                  ? 'Saved passwords are never shown: leave empty to keep it (a new host, port or user needs it typed again).'
                  : 'Stored encrypted where the OS allows it.'
              }
            >
              <input data-field="password" type="password" value={form.password} onChange={(e) => set('password', e.target.value)} autoComplete="new-password" />
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Rate limits</legend>
          <p className="muted small">Counted exactly over sliding windows. Empty means no limit.</p>
          <div className="field-row">
            <Field label="Per minute" error={errors.limit_per_minute}>
              <input data-field="limit_per_minute" inputMode="numeric" value={form.limit_per_minute} onChange={(e) => set('limit_per_minute', e.target.value)} />
            </Field>
            <Field label="Per hour" error={errors.limit_per_hour}>
              <input data-field="limit_per_hour" inputMode="numeric" value={form.limit_per_hour} onChange={(e) => set('limit_per_hour', e.target.value)} />
            </Field>
            <Field label="Per day" error={errors.limit_per_day}>
              <input data-field="limit_per_day" inputMode="numeric" value={form.limit_per_day} onChange={(e) => set('limit_per_day', e.target.value)} />
            </Field>
          </div>
          <Field label="When a limit is reached">
            <select data-field="limit_behavior" value={form.limit_behavior} onChange={(e) => set('limit_behavior', e.target.value as AccountForm['limit_behavior'])}>
              <option value="defer">Defer the message until a slot frees</option>
              <option value="error">Fail the message</option>
            </select>
          </Field>
        </fieldset>
        <fieldset>
          <legend>Routing</legend>
          <Field
            label="Fallback accounts"
            error={errors.fallbacks}
            hint={others.length ? `Tried in order on a temporary failure. Available: ${others.map((a) => a.id).join(', ')}` : 'Create more accounts to fail over between them.'}
          >
            <input data-field="fallbacks" value={form.fallbacks} onChange={(e) => set('fallbacks', e.target.value)} placeholder="backup-1, backup-2" autoComplete="off" />
          </Field>
          <div className="field-row">
            <Field label="Weight" error={errors.weight} hint="Share of traffic when split by weight.">
              <input data-field="weight" inputMode="numeric" value={form.weight} onChange={(e) => set('weight', e.target.value)} />
            </Field>
            <Field label="Batch size" error={errors.batch_size} hint="Messages per dispatch round (empty: default).">
              <input data-field="batch_size" inputMode="numeric" value={form.batch_size} onChange={(e) => set('batch_size', e.target.value)} />
            </Field>
          </div>
        </fieldset>
        <ErrorNote error={serverError} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Create account'}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </aside>
  );
}
