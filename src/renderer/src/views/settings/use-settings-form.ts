import { useEffect, useState, type FormEvent } from 'react';
import type { Settings, SettingsPatch } from '../../api/types.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay } from '../../state/relay-context.js';

export interface SettingsFormSpec<F, E extends object> {
  /** the form's fields for the stored settings */
  formFrom: (settings: Settings) => F;
  validate: (form: F) => E;
  /** only what the form changes */
  patch: (settings: Settings, form: F) => SettingsPatch;
}

/**
 * The state of a settings card's form: it follows the stored settings until the user edits it, is
 * validated on every change, and saves only what changed; `saved` shows until the next edit.
 */
export function useSettingsForm<F, E extends object>(settings: Settings, spec: SettingsFormSpec<F, E>) {
  const { updateSettings } = useRelay();
  const [form, setForm] = useState<F>(() => spec.formFrom(settings));
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const errors = spec.validate(form);
  const invalid = Object.keys(errors).length > 0;
  const { formFrom } = spec;

  useEffect(() => {
    if (!dirty) setForm(formFrom(settings));
  }, [settings, dirty, formFrom]);

  const set = <K extends keyof F>(k: K, v: F[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setDirty(true);
    setSaved(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    try {
      const patch = spec.patch(settings, form);
      if (Object.keys(patch).length) await updateSettings(patch);
      setDirty(false);
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const discard = () => {
    setForm(formFrom(settings));
    setDirty(false);
  };
  return { form, set, errors, invalid, dirty, error, saved, submit, discard };
}
