import { useState } from 'react';
import type { VerifyResult } from '../../api/types.js';
import { errorMessage } from '../../lib/errors.js';

/** Connects and authenticates with the account's settings and says what failed. */
export function VerifyButton({ verify }: { verify: () => Promise<VerifyResult> }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="verify">
      <button
        type="button"
        className="btn btn-small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          setResult(null);
          try {
            setResult(await verify());
          } catch (err) {
            setError(errorMessage(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Verifying…' : 'Verify connection'}
      </button>
      <span role="status" className="verify-result">
        {result ? (
          <span className={result.ok ? 'ok' : 'bad'}>
            {result.ok ? '✓ ' : '✗ '}
            {result.ok ? result.message || 'Connected and authenticated' : `${result.stage} failed: ${result.message}`}
            {result.code ? ` (${result.code})` : ''}
          </span>
        ) : null}
        {error ? <span className="bad">✗ {error}</span> : null}
      </span>
    </div>
  );
}
