import { useState } from 'react';
import type { Settings } from '../../api/types.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay } from '../../state/relay-context.js';

/** "Rehearse limits": sandbox delivery obeys the accounts' rate limits, as real delivery would (#18.5). */
export function RehearseLimitsToggle({ settings }: { settings: Settings }) {
  const { updateSettings } = useRelay();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const on = settings.sandbox_rehearse_limits;

  const toggle = async () => {
    setBusy(true);
    try {
      await updateSettings({ sandbox_rehearse_limits: !on });
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card settings-card" aria-labelledby="rehearse-h">
      <h3 id="rehearse-h">Rehearse limits</h3>
      <label className="checkbox-row">
        <input type="checkbox" checked={on} disabled={busy} onChange={() => void toggle()} />
        <span>Sandbox delivery obeys the accounts&apos; rate limits</span>
      </label>
      <p className="muted small">
        {on
          ? 'Captured mail arrives at the pace your users would see: over the limit it is deferred (or fails, with limit_behavior "error").'
          : 'Off: every message is captured at once, whatever its account\u2019s rate limits.'}
      </p>
      <ErrorNote error={error} />
    </section>
  );
}
