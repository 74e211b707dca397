import type { AccountView, VerifyResult } from '../../api/types.js';
import { formatDuration } from '../../lib/format.js';
import { routeHref } from '../../lib/router.js';
import { RateGauge, rateWindows } from './RateGauge.js';
import { VerifyButton } from './VerifyButton.js';

function tlsLabel(a: AccountView): string {
  if (a.use_tls === true) return 'implicit TLS';
  if (a.use_tls === false) return 'STARTTLS/plain';
  return a.port === 465 ? 'implicit TLS (auto)' : 'STARTTLS (auto)';
}

export function AccountCard({ account: a, now, onDelete, verify, queued }: {
  account: AccountView;
  now: number;
  onDelete: () => void;
  verify: () => Promise<VerifyResult>;
  queued?: number;
}) {
  const windows = rateWindows(a.rate, { minute: a.limit_per_minute, hour: a.limit_per_hour, day: a.limit_per_day });
  return (
    <article className="card account-card" aria-labelledby={`acc-${a.id}`}>
      <header className="card-head">
        <div>
          <h3 id={`acc-${a.id}`}>{a.id}</h3>
          <div className="muted small">
            {a.host}:{a.port} · {tlsLabel(a)} · {a.user ? `user ${a.user}` : 'no authentication'}
          </div>
        </div>
        <div className="card-actions">
          <a className="btn btn-small" href={routeHref('accounts', a.id)} aria-label={`Edit account ${a.id}`}>
            Edit
          </a>
          <button type="button" className="btn btn-small btn-danger" onClick={onDelete} aria-label={`Delete account ${a.id}`}>
            Delete
          </button>
        </div>
      </header>
      {a.backoff_until && a.backoff_until > now ? (
        <p className="warning-box small" role="status">
          Backing off after a connection failure, next try in {formatDuration(a.backoff_until - now)}
          {a.backoff_error ? `: ${a.backoff_error}` : ''}
        </p>
      ) : null}
      <div className="gauges">
        {windows.map((w) => (
          <RateGauge key={w.window} rate={w} now={now} />
        ))}
      </div>
      <div className="card-foot small">
        <span>
          when limited: <strong>{a.limit_behavior === 'error' ? 'fail the message' : 'defer until a slot frees'}</strong>
        </span>
        {a.fallbacks?.length ? <span>fallbacks: {a.fallbacks.join(' → ')}</span> : null}
        {a.weight ? <span>weight {a.weight}</span> : null}
        {a.in_flight ? <span>{a.in_flight} sending now</span> : null}
        {queued ? (
          <a href={routeHref('queue', undefined, { account: a.id })}>{queued} pending in queue</a>
        ) : null}
      </div>
      <VerifyButton verify={verify} />
    </article>
  );
}
