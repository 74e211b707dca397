import { useEffect, useMemo, useRef, useState } from 'react';
import { MESSAGE_STATES } from '../../../../shared/api/states.js';
import type { AccountView, MessageState, StatsState, TenantOverview } from '../../api/types.js';
import { debounce } from '../../lib/throttle.js';
import { formatNumber } from '../../lib/format.js';
import type { QueueFilter } from './queue-events.js';
import { InlineField } from '../../components/Field.js';

/** the select's value for "the default tenant" (a tenant id is never empty, and '' means all) */
const DEFAULT_OPTION = '\u0000default';

export function QueueFilters({ filter, onChange, accounts, tenants, stats, shown, hasMore }: {
  filter: QueueFilter;
  onChange: (f: QueueFilter) => void;
  accounts: AccountView[] | null;
  /** null: no tenant filter (a relay without tenants) */
  tenants: TenantOverview[] | null;
  stats: StatsState | null;
  shown: number;
  hasMore: boolean;
}) {
  const [q, setQ] = useState(filter.q ?? '');
  const latest = useRef({ onChange, filter });
  useEffect(() => {
    latest.current = { onChange, filter };
  });
  const pushQ = useMemo(() => debounce((value: string) => latest.current.onChange({ ...latest.current.filter, q: value }), 300), []);
  useEffect(() => setQ(filter.q ?? ''), [filter.q]);
  useEffect(() => () => pushQ.cancel(), [pushQ]);

  const total = stats?.counts ? Object.values(stats.counts).reduce((a, b) => a + b, 0) : null;
  return (
    <form className="filters" role="search" aria-label="Filter messages" onSubmit={(e) => e.preventDefault()}>
      {tenants ? (
        <InlineField label="Tenant">
          <select
            value={filter.tenant_id === undefined ? '' : filter.tenant_id || DEFAULT_OPTION}
            onChange={(e) => onChange({ ...filter, tenant_id: e.target.value === '' ? undefined : e.target.value === DEFAULT_OPTION ? '' : e.target.value })}
          >
            <option value="">all</option>
            <option value={DEFAULT_OPTION}>default (classic)</option>
            {tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.id}
              </option>
            ))}
            {filter.tenant_id && !tenants.some((t) => t.id === filter.tenant_id) ? <option value={filter.tenant_id}>{filter.tenant_id}</option> : null}
          </select>
        </InlineField>
      ) : null}
      <InlineField label="State">
        <select value={filter.state ?? ''} onChange={(e) => onChange({ ...filter, state: e.target.value as MessageState | '' })}>
          <option value="">all{total !== null ? ` (${formatNumber(total)})` : ''}</option>
          {MESSAGE_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
              {stats?.counts ? ` (${formatNumber(stats.counts[s] ?? 0)})` : ''}
            </option>
          ))}
        </select>
      </InlineField>
      <InlineField label="Report">
        <select
          value={filter.reported === undefined ? '' : filter.reported ? 'yes' : 'no'}
          title="Whether the application acknowledged the outcome"
          onChange={(e) => onChange({ ...filter, reported: e.target.value === '' ? undefined : e.target.value === 'yes' })}
        >
          <option value="">all</option>
          <option value="yes">reported</option>
          <option value="no">not reported</option>
        </select>
      </InlineField>
      <InlineField label="Account">
        <select value={filter.account_id ?? ''} onChange={(e) => onChange({ ...filter, account_id: e.target.value })}>
          <option value="">all</option>
          {(accounts ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.id}
            </option>
          ))}
          {filter.account_id && !(accounts ?? []).some((a) => a.id === filter.account_id) ? (
            <option value={filter.account_id}>{filter.account_id}</option>
          ) : null}
        </select>
      </InlineField>
      <InlineField label="Search" className="grow">
        <input
          type="search"
          data-search
          placeholder="id, subject, sender or recipient   ( / )"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            pushQ(e.target.value.trim());
          }}
        />
      </InlineField>
      <span className="muted small" aria-live="polite">
        {formatNumber(shown)}
        {hasMore ? '+' : ''} shown
      </span>
    </form>
  );
}
