import { useState } from 'react';
import type { DeliveryMode, Settings } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay } from '../../state/relay-context.js';

/** Sandbox/real switch (real asks first, and says what it means) and pause/resume. */
export function DeliverySection({ settings }: { settings: Settings }) {
  const { updateSettings } = useRelay();
  const [confirmReal, setConfirmReal] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const real = settings.delivery_mode === 'real';

  const apply = async (patch: { delivery_mode?: DeliveryMode; paused?: boolean }) => {
    setBusy(true);
    try {
      await updateSettings(patch);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card settings-card" aria-labelledby="delivery-h">
      <h3 id="delivery-h">Delivery</h3>
      <div className="mode-switch" role="radiogroup" aria-label="Delivery mode">
        <label className={!real ? 'mode-option checked' : 'mode-option'}>
          <input
            type="radio"
            name="delivery_mode"
            value="sandbox"
            checked={!real}
            disabled={busy}
            onChange={() => void apply({ delivery_mode: 'sandbox' })}
          />
          <span className="mode-name">Sandbox</span>
          <span className="mode-desc">Every message is captured here; nothing reaches real recipients.</span>
        </label>
        <label className={real ? 'mode-option checked real' : 'mode-option'}>
          <input type="radio" name="delivery_mode" value="real" checked={real} disabled={busy} onChange={() => setConfirmReal(true)} />
          <span className="mode-name">Real delivery</span>
          <span className="mode-desc">Messages go out through your SMTP accounts to their real recipients.</span>
        </label>
      </div>
      {real ? (
        <p className="warning-box" role="alert">
          <strong>Real delivery is on.</strong> Every queued message is sent to its real recipients.
        </p>
      ) : null}
      <div className="pause-row">
        <div>
          <strong>{settings.paused ? 'Dispatch is paused' : 'Dispatch is running'}</strong>
          <div className="muted small">
            {settings.paused ? 'Messages are accepted and queued, but neither sent nor reported.' : 'Queued messages are sent as soon as they are due.'}
          </div>
        </div>
        <button type="button" className={settings.paused ? 'btn btn-primary' : 'btn'} disabled={busy} onClick={() => void apply({ paused: !settings.paused })}>
          {settings.paused ? 'Resume dispatch' : 'Pause dispatch'}
        </button>
      </div>
      <ErrorNote error={error} />
      {confirmReal ? (
        <ConfirmDialog
          title="Switch to real delivery?"
          confirmLabel="Yes, deliver for real"
          danger
          onCancel={() => setConfirmReal(false)}
          onConfirm={() => {
            setConfirmReal(false);
            void apply({ delivery_mode: 'real' });
          }}
        >
          <p>
            From the next message on, mail is <strong>sent to real recipients</strong> through your SMTP accounts, including
            messages already waiting in the queue.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
