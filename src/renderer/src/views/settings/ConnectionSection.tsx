import { useState } from 'react';
import { CopyButton } from '../../components/CopyButton.js';
import { Snippet } from '../../components/Snippet.js';
import { useConnectionInfo } from '../../state/useConnectionInfo.js';
import { curlSendSnippet, proxySnippet, smtpEnvSnippet, smtpSnippet } from './connection-info.js';

function CopyRow({ label, value, display }: { label: string; value: string; display?: string }) {
  return (
    <div className="copy-row">
      <span className="copy-label">{label}</span>
      <code className="copy-value">{display ?? value}</code>
      <CopyButton text={value} what={label} />
    </div>
  );
}

/** Everything a user pastes elsewhere: SMTP sink address, API URL, token, login link. */
export function ConnectionSection() {
  const info = useConnectionInfo();
  const [reveal, setReveal] = useState(false);
  const uiLink = `${info.apiUrl}/#token=${encodeURIComponent(info.token)}`;
  return (
    <section className="card settings-card" aria-labelledby="conn-h">
      <h3 id="conn-h">Connection details</h3>
      <CopyRow label="SMTP sandbox" value={`${info.smtpHost}:${info.smtpPort ?? ''}`} />
      <CopyRow label="API URL" value={info.apiUrl} />
      <div className="copy-row">
        <span className="copy-label">API token</span>
        <code className="copy-value">{reveal ? info.token : '•'.repeat(Math.min(24, info.token.length))}</code>
        <button type="button" className="btn btn-small" aria-pressed={reveal} onClick={() => setReveal((r) => !r)}>
          {reveal ? 'Hide' : 'Show'}
        </button>
        <CopyButton text={info.token} what="API token" />
      </div>
      <CopyRow label="Web UI link" value={uiLink} display={`${info.apiUrl}/#token=…`} />
      <div className="snippets">
        <Snippet title="SMTP settings for your app" text={smtpSnippet(info)} />
        <Snippet title="As environment variables" text={smtpEnvSnippet(info)} />
        <Snippet title="Genropy mail-proxy settings" text={proxySnippet(info)} secret={info.token} />
        <Snippet title="Send a test message" text={curlSendSnippet(info)} secret={info.token} />
      </div>
    </section>
  );
}
