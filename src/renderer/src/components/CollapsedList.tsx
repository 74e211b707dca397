import { useState } from 'react';
import { collapseList } from '../lib/collapse.js';
import '../styles/triage.css';

/** Addresses (or any strings) joined by commas, the first `limit` only until "+N more" is clicked. */
export function CollapsedList({ items, limit = 3, what = 'recipients' }: { items: readonly string[]; limit?: number; what?: string }) {
  const [open, setOpen] = useState(false);
  const { shown, hidden } = collapseList(items, open ? Infinity : limit);
  return (
    <span className="collapsed-list">
      {shown.join(', ')}
      {hidden > 0 ? (
        <>
          {' '}
          <button type="button" className="link-button" onClick={() => setOpen(true)} aria-label={`Show all ${items.length} ${what}`}>
            +{hidden} more
          </button>
        </>
      ) : null}
      {open && items.length > limit + 1 ? (
        <>
          {' '}
          <button type="button" className="link-button" onClick={() => setOpen(false)}>
            show fewer
          </button>
        </>
      ) : null}
    </span>
  );
}
