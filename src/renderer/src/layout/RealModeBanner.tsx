import { useRelay } from '../state/relay-context.js';

/** Impossible to miss while real delivery is on. */
export function RealModeBanner() {
  const { settings, updateSettings } = useRelay();
  if (settings?.delivery_mode !== 'real') return null;
  return (
    <div className="real-banner" role="alert">
      <strong>REAL DELIVERY</strong>
      <span>Messages are being sent to their real recipients.</span>
      <button type="button" className="btn btn-small" onClick={() => void updateSettings({ delivery_mode: 'sandbox' }).catch(() => {})}>
        Switch to sandbox
      </button>
    </div>
  );
}
