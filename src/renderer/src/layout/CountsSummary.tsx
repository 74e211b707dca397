import type { StatsState } from '../api/types.js';
import { formatNumber } from '../lib/format.js';

/** The header's counts folded into one line for a phone: what waits, and what failed. */
export function countsSummary(counts: Partial<Record<string, number>> | undefined): string {
  if (!counts) return '…';
  const pending = (counts.queued ?? 0) + (counts.deferred ?? 0) + (counts.sending ?? 0);
  const errors = counts.error ?? 0;
  // errors only when there are some: the line must fit beside the mode and the pause button
  return errors > 0 ? `${formatNumber(pending)} pending · ${formatNumber(errors)} error${errors === 1 ? '' : 's'}` : `${formatNumber(pending)} pending`;
}

/** Shown instead of the counts on a narrow screen; opens them below the header. */
export function CountsToggle({ stats, open, onToggle }: { stats: StatsState | null; open: boolean; onToggle: () => void }) {
  return (
    <button type="button" className="btn btn-small counts-toggle" aria-expanded={open} onClick={onToggle} title="Messages by state">
      {countsSummary(stats?.counts)} {open ? '▴' : '▾'}
    </button>
  );
}
