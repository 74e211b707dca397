import type { CapturedFrame } from '../../../../shared/api/index.js';
import type { CapturedListItem } from '../../api/types.js';

export type CapturedChange =
  | { kind: 'added'; item: CapturedListItem }
  | { kind: 'deleted'; ids: number[] }
  | { kind: 'cleared' }
  | { kind: 'unknown' };

/**
 * Reads a `captured` frame: newly captured mail, a deletion, a clear-all, or a burst announced only
 * as a count ('unknown': the list then refetches its head).
 */
export function capturedChange(frame: CapturedFrame): CapturedChange {
  if ('coalesced' in frame) return { kind: 'unknown' };
  if ('type' in frame) return frame.type === 'cleared' ? { kind: 'cleared' } : { kind: 'deleted', ids: frame.ids };
  return { kind: 'added', item: { ...frame, read: false } };
}

/** The client-side twin of the server's search, to decide whether new mail belongs in a searched list. */
export function matchesSearch(item: CapturedListItem, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [item.subject, item.from, item.to.join(' '), item.mailbox ?? ''].some((s) => s.toLowerCase().includes(needle));
}
