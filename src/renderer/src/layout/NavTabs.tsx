import { formatNumber } from '../lib/format.js';
import { routeHref, type View } from '../lib/router.js';
import { useRelay } from '../state/relay-context.js';

const ITEMS: { view: View; label: string; key: string }[] = [
  { view: 'queue', label: 'Queue', key: '1' },
  { view: 'captured', label: 'Captured', key: '2' },
  { view: 'accounts', label: 'Accounts', key: '3' },
  { view: 'settings', label: 'Settings', key: '4' },
  { view: 'tenants', label: 'Tenants', key: '5' },
];

export function NavTabs({ current }: { current: View }) {
  const { stats, tenants } = useRelay();
  // a classic single-application relay looks as it always did: no tenants tab
  const items = tenants?.length || current === 'tenants' ? ITEMS : ITEMS.filter((it) => it.view !== 'tenants');
  const unread = stats?.captured?.unread ?? 0;
  const pending = stats?.counts ? (stats.counts.queued ?? 0) + (stats.counts.deferred ?? 0) + (stats.counts.sending ?? 0) : 0;
  return (
    <nav className="nav" aria-label="Views">
      {items.map((it) => (
        <a
          key={it.view}
          href={routeHref(it.view)}
          className={current === it.view ? 'nav-item active' : 'nav-item'}
          aria-current={current === it.view ? 'page' : undefined}
          title={`${it.label} (${it.key})`}
        >
          {it.label}
          {it.view === 'captured' && unread > 0 ? (
            <span className="nav-badge" aria-label={`${unread} unread`}>
              {formatNumber(unread)}
            </span>
          ) : null}
          {it.view === 'queue' && pending > 0 ? (
            <span className="nav-badge subtle" aria-label={`${pending} pending`}>
              {formatNumber(pending)}
            </span>
          ) : null}
        </a>
      ))}
    </nav>
  );
}
