import type { CapturedSummary } from '../../api/types.js';

export type CapturedChange =
  | { kind: 'added'; item: CapturedSummary }
  | { kind: 'deleted'; ids: number[] }
  | { kind: 'cleared' }
  | { kind: 'changed'; id: number; patch: Partial<CapturedSummary> }
  | { kind: 'unknown' };

/**
 * Reads a `captured` SSE payload: a summary of newly captured mail, or (defensively) a deletion,
 * a clear-all or a read-state change, or anything else (the list then refetches its head).
 */
export function capturedChange(data: unknown): CapturedChange {
  if (!data || typeof data !== 'object') return { kind: 'unknown' };
  const d = data as Record<string, unknown>;
  const type = typeof d.type === 'string' ? d.type : typeof d.action === 'string' ? d.action : null;
  if (type === 'cleared' || type === 'deleted_all' || d.cleared === true) return { kind: 'cleared' };
  if (type === 'deleted') {
    const ids = Array.isArray(d.ids) ? d.ids : d.id !== undefined ? [d.id] : [];
    return { kind: 'deleted', ids: ids.map(Number).filter(Number.isFinite) };
  }
  if (Array.isArray(d.deleted)) return { kind: 'deleted', ids: d.deleted.map(Number).filter(Number.isFinite) };
  if (typeof d.id === 'number' && typeof d.received_ts === 'number') {
    if (type && type !== 'captured' && type !== 'added' && type !== 'new') {
      return { kind: 'changed', id: d.id, patch: d as Partial<CapturedSummary> };
    }
    return { kind: 'added', item: { ...(d as unknown as CapturedSummary), read: d.read === true } };
  }
  if (typeof d.id === 'number' && typeof d.read === 'boolean') return { kind: 'changed', id: d.id, patch: { read: d.read } };
  return { kind: 'unknown' };
}

/** The client-side twin of the server's search, to decide whether new mail belongs in a searched list. */
export function matchesSearch(item: CapturedSummary, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  const to = Array.isArray(item.to) ? item.to.join(' ') : (item.to ?? '');
  return [item.subject, item.from, to, item.mailbox ?? ''].some((s) => (s ?? '').toLowerCase().includes(needle));
}
