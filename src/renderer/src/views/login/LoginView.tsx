import { useState, type FormEvent } from 'react';
import { checkConnection, type Connection } from '../../api/client.js';
import { Field } from '../../components/Field.js';
import { errorMessage } from '../../lib/errors.js';

/** Asks once for the API token, checks it against the relay, and hands the connection up. */
export function LoginView({ baseUrl, notice, onLogin, check }: {
  baseUrl: string;
  notice?: string | null;
  onLogin: (c: Connection) => void;
  /** tests inject the check; by default it asks the relay */
  check?: (c: Connection) => Promise<void>;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Paste the API token');
      return;
    }
    setBusy(true);
    const connection = { baseUrl, token: t };
    try {
      await (check ?? checkConnection)(connection);
      onLogin(connection);
    } catch (err) {
      setError((err as { status?: number }).status === 401 ? 'The relay did not accept this token.' : `Cannot reach the relay: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-h">
        <h1 id="login-h">
          <img src="./favicon.svg" alt="" width={28} height={28} /> Genro Mail Relay
        </h1>
        {notice ? <p className="warning-box">{notice}</p> : null}
        <p>
          Enter the relay's API token. <code>serve</code> prints it at start-up together with a link that signs you in
          directly; it is also in the data folder's <code>api-token</code> file.
        </p>
        <Field label="API token" error={error}>
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus autoComplete="current-password" />
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
