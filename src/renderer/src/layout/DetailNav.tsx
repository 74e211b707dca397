import type { ReactNode } from 'react';
import { formatNumber } from '../lib/format.js';
import '../styles/triage.css';

/**
 * The bar above an open item: back to the list (the only way back on a phone, where the list is
 * hidden), where the item stands in the list, previous/next (k/j), and the view's own actions.
 */
export function DetailNav({ what, position, total, more, onBack, onPrev, onNext, children }: {
  /** 'mail', 'message' */
  what: string;
  position: number;
  total: number;
  /** more items are on the server than in the list */
  more: boolean;
  onBack: () => void;
  onPrev: (() => void) | null;
  onNext: (() => void) | null;
  children?: ReactNode;
}) {
  return (
    <div className="detail-nav" role="toolbar" aria-label={`Move between ${what}s`}>
      <button type="button" className="btn btn-small detail-back" onClick={onBack} aria-label="Back to the list">
        ‹ Back
      </button>
      <span className="muted small detail-pos" aria-live="polite">
        {position > 0 ? `${formatNumber(position)} of ${formatNumber(total)}${more ? '+' : ''}` : ''}
      </span>
      <button type="button" className="btn btn-small" onClick={onPrev ?? undefined} disabled={!onPrev} aria-label={`Previous ${what}`} title={`Previous ${what} (k)`}>
        ↑ Prev
      </button>
      <button type="button" className="btn btn-small" onClick={onNext ?? undefined} disabled={!onNext} aria-label={`Next ${what}`} title={`Next ${what} (j)`}>
        ↓ Next
      </button>
      {children ? <span className="detail-nav-extra">{children}</span> : null}
    </div>
  );
}
