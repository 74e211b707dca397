import { useEffect, useMemo, useRef, useState } from 'react';
import { MESSAGE_STATES } from '../../../../shared/api/states.js';
import type { AccountView, MessageState, StatsState } from '../../api/types.js';
import { debounce } from '../../lib/throttle.js';
import { formatNumber } from '../../lib/format.js';
import type { QueueFilter } from './queue-events.js';
import { InlineField } from '../../components/Field.js';

export function QueueFilters({ filter, onChange, accounts, stats, shown, hasMore }: {
  filter: QueueFilter;
  onChange: (f: QueueFilter) => void;
  accounts: AccountView[] | null;
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
