import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { VirtualListHandle } from '../components/VirtualList.js';
import { emptySelection, neighbours, nextAfterRemoval, pick, prune, selectedInOrder, type PickMode, type Selection } from '../lib/selection.js';
import { useShortcuts } from './useShortcuts.js';

export interface TriageOptions<T, K> {
  items: readonly T[];
  keyOf: (item: T) => K;
  /** the item open in the detail pane */
  openKey: K | null;
  open: (key: K) => void;
  /** closes the detail pane (after the last item was deleted) */
  close: () => void;
  list: RefObject<VirtualListHandle<T> | null>;
  /** d / Delete on the open item (or the highlighted one): the view deletes it; the hook then opens the next */
  deleteOne?: (item: T) => void;
  /** d / Delete with rows picked: the view asks, then deletes them */
  deleteSelected?: (keys: K[]) => void;
  /** further single-key shortcuts of the view (u: mark unread, …) */
  keys?: Record<string, (e: KeyboardEvent) => void>;
  enabled?: boolean;
}

export interface Triage<T, K> {
  selection: Selection<K>;
  /** the picked keys in list order */
  picked: K[];
  onPick: (item: T, mode: PickMode) => void;
  clearSelection: () => void;
  prev: K | null;
  next: K | null;
  /** 1-based position of the open item in the list (0: not in the loaded list) */
  position: number;
  /** opens the item after `key` (else the one before, else closes): the move after a delete */
  openNextAfter: (removed: readonly K[]) => void;
}

/**
 * Mail-client triage over a list: j/k walk the list (opening the next mail when one is open), Enter
 * opens the highlighted row, x picks it, d/Delete deletes the open mail and opens the next one, or
 * the picked rows; Escape drops the picks.
 */
export function useTriage<T, K>(opts: TriageOptions<T, K>): Triage<T, K> {
  const { items, keyOf, openKey, open, close, list, deleteOne, deleteSelected, keys, enabled = true } = opts;
  const order = useMemo(() => items.map(keyOf), [items, keyOf]);
  const [selection, setSelection] = useState<Selection<K>>(emptySelection);
  // rows that left the list (deleted here or elsewhere) leave the selection too
  useEffect(() => setSelection((s) => prune(s, order)), [order]);

  const orderRef = useRef(order);
  orderRef.current = order;
  const onPick = useCallback((item: T, mode: PickMode) => setSelection((s) => pick(s, orderRef.current, keyOf(item), mode)), [keyOf]);
  const clearSelection = useCallback(() => setSelection(emptySelection()), []);
  const { position, prev, next } = openKey === null ? { position: 0, prev: null, next: null } : neighbours(order, openKey);

  // the key asked for last: keys pressed before the route has caught up walk on from it, not from the old one
  const current = useRef(openKey);
  const seen = useRef(openKey);
  if (seen.current !== openKey) {
    seen.current = openKey;
    current.current = openKey;
  }
  const go = useCallback(
    (key: K | null) => {
      current.current = key;
      if (key !== null) open(key);
      else close();
    },
    [open, close],
  );
  const openNextAfter = useCallback(
    (removed: readonly K[]) => go(nextAfterRemoval(orderRef.current, current.current, new Set(removed))),
    [go],
  );

  const picked = useMemo(() => selectedInOrder(selection, order), [selection, order]);
  const walk = (delta: number) => {
    const at = current.current;
    if (at === null) {
      list.current?.move(delta);
      return;
    }
    const around = neighbours(orderRef.current, at);
    const to = delta > 0 ? around.next : around.prev;
    if (to !== null) go(to);
  };
  const target = (): T | null => {
    const at = current.current;
    if (at !== null) return items.find((it) => keyOf(it) === at) ?? null;
    return list.current?.active() ?? null;
  };
  const del = (e: KeyboardEvent) => {
    if (picked.length > 0 && deleteSelected) {
      e.preventDefault();
      deleteSelected(picked);
      return;
    }
    const item = target();
    if (item === null || !deleteOne) return;
    e.preventDefault();
    deleteOne(item);
  };
  useShortcuts(
    {
      j: () => walk(1),
      k: () => walk(-1),
      Enter: (e) => {
        // Enter on a button, link or tab is that control's own
        if (e.target instanceof Element && e.target.closest('button, a, [role="tab"]')) return;
        const item = current.current === null ? list.current?.active() : null;
        if (!item) return;
        e.preventDefault();
        go(keyOf(item));
      },
      x: () => {
        const item = target();
        if (item !== null) onPick(item, 'toggle');
      },
      d: del,
      Delete: del,
      Escape: () => {
        if (current.current === null && selection.keys.size > 0) clearSelection();
      },
      ...keys,
    },
    enabled,
  );
  return { selection, picked, onPick, clearSelection, prev, next, position, openNextAfter };
}
