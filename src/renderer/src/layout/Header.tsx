import { useState } from 'react';
import { MESSAGE_STATES } from '../../../shared/api/states.js';
import { formatNumber } from '../lib/format.js';
import { routeHref } from '../lib/router.js';
import { useRelay } from '../state/relay-context.js';
import { CountsToggle } from './CountsSummary.js';
import { relayUnreachable } from './OutageBanner.js';
import '../styles/phone.css';

/** App bar: the mode at a glance, counts by state (each one a filter), pause/resume. */
export function Header() {
  const { stats, settings, updateSettings, streamStatus } = useRelay();
  const stale = relayUnreachable(streamStatus);
  const mode = settings?.delivery_mode;
  const paused = settings?.paused ?? false;
  // on a phone the counts fold into one summary line (phone.css), opened by the toggle
  const [countsOpen, setCountsOpen] = useState(false);
  return (
    <header className={countsOpen ? 'app-header counts-open' : 'app-header'}>
      <div className="brand">
        <img src="./favicon.svg" alt="" width={22} height={22} />
        <span>Genro Mail Relay</span>
      </div>
      {mode ? (
        <span className={`mode-pill mode-${mode}`} title={mode === 'real' ? 'Messages are delivered to real recipients' : 'Messages are captured, not delivered'}>
          {mode === 'real' ? 'REAL DELIVERY' : 'SANDBOX'}
        </span>
      ) : null}
      {paused ? <span className="mode-pill mode-paused">PAUSED</span> : null}
      <CountsToggle stats={stats} open={countsOpen} onToggle={() => setCountsOpen((o) => !o)} />
      <nav className={stale ? 'counts stale' : 'counts'} aria-label="Messages by state" title={stale ? 'Last known counts: the relay is unreachable' : undefined}>
        {MESSAGE_STATES.map((s) => (
          <a key={s} href={routeHref('queue', undefined, { state: s })} className={`count count-${s}`} title={`Show ${s} messages`}>
            <span className="count-n">{stats ? formatNumber(stats.counts?.[s] ?? 0) : '…'}</span>
            <span className="count-label">{s}</span>
          </a>
        ))}
      </nav>
      {settings ? (
        <button
          type="button"
          className={paused ? 'btn btn-primary' : 'btn'}
          onClick={() => void updateSettings({ paused: !paused }).catch(() => {})}
          title={paused ? 'Resume dispatch and reporting' : 'Pause dispatch and reporting (messages are still accepted)'}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      ) : null}
    </header>
  );
}
