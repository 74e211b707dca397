import { CopyButton } from '../components/CopyButton.js';
import { LastReport } from '../views/settings/LastReport.js';
import { useRelay } from '../state/relay-context.js';
import { useConnectionInfo } from '../state/useConnectionInfo.js';

const STREAM_LABEL = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', closed: 'Offline' } as const;

export function StatusBar({ onHelp }: { onHelp: () => void }) {
  const { streamStatus, settings, stats } = useRelay();
  const info = useConnectionInfo();
  const inFlight = typeof stats?.in_flight === 'number' ? stats.in_flight : null;
  return (
    <footer className="status-bar">
      <span className={`stream stream-${streamStatus}`} role="status" aria-live="polite">
        <span className="dot" aria-hidden="true" /> {STREAM_LABEL[streamStatus]}
      </span>
      {settings ? (
        <span>
          mode <strong className={settings.delivery_mode === 'real' ? 'bad' : ''}>{settings.delivery_mode}</strong>
          {settings.paused ? ' · paused' : ''}
        </span>
      ) : null}
      {inFlight !== null ? <span>{inFlight} sending</span> : null}
      <span className="status-copy">
        SMTP <code>{info.smtpHost}:{info.smtpPort ?? '…'}</code>
        <CopyButton text={`${info.smtpHost}:${info.smtpPort ?? ''}`} what="SMTP address" />
      </span>
      <span className="status-copy">
        API <code>{info.apiUrl}</code>
        <CopyButton text={info.apiUrl} what="API URL" />
      </span>
      {settings?.client_sync_url ? (
        <span className="status-report">
          <LastReport report={stats?.report} compact />
        </span>
      ) : null}
      <button type="button" className="btn btn-small btn-ghost push-right" onClick={onHelp} aria-label="Keyboard shortcuts">
        ? shortcuts
      </button>
    </footer>
  );
}
