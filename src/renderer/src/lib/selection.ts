/**
 * Multi-selection in a list (shift: a range from the anchor, ctrl/cmd: toggle one) and the triage
 * moves: which item is next or previous, and which to open once some are deleted. Pure functions
 * over the keys in list order, so the views and their tests share them.
 */

export interface Selection<K> {
  keys: ReadonlySet<K>;
  /** where a shift-click range starts: the last item clicked without shift */
  anchor: K | null;
}

export type PickMode = 'toggle' | 'range' | 'only';

export const EMPTY_SELECTION: Selection<never> = { keys: new Set<never>(), anchor: null };

export function emptySelection<K>(): Selection<K> {
  return EMPTY_SELECTION as Selection<K>;
}

/** The mode of a click: shift picks a range, ctrl or cmd toggles one item, a plain click picks none (it opens). */
export function pickModeOf(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): PickMode | null {
  if (e.shiftKey) return 'range';
  if (e.ctrlKey || e.metaKey) return 'toggle';
  return null;
}

/** The selection after picking `key` in `order` (the list's keys as shown). */
export function pick<K>(sel: Selection<K>, order: readonly K[], key: K, mode: PickMode): Selection<K> {
  if (mode === 'only') return { keys: new Set([key]), anchor: key };
  if (mode === 'toggle') {
    const keys = new Set(sel.keys);
    if (keys.has(key)) keys.delete(key);
    else keys.add(key);
    return { keys, anchor: key };
  }
  const from = sel.anchor === null ? -1 : order.indexOf(sel.anchor);
  const to = order.indexOf(key);
  if (to < 0) return sel;
  if (from < 0) return { keys: new Set([...sel.keys, key]), anchor: key };
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  // a range adds to what was picked before (as file managers do), keeping the anchor
  return { keys: new Set([...sel.keys, ...order.slice(lo, hi + 1)]), anchor: sel.anchor };
}

/** Drops keys that left the list (deleted elsewhere, filtered away); the same object when nothing left. */
export function prune<K>(sel: Selection<K>, order: readonly K[]): Selection<K> {
  if (sel.keys.size === 0) return sel;
  const present = new Set(order);
  const keys = new Set([...sel.keys].filter((k) => present.has(k)));
  if (keys.size === sel.keys.size) return sel;
  return { keys, anchor: sel.anchor !== null && present.has(sel.anchor) ? sel.anchor : null };
}

/** The selected keys in list order (what a bulk action sends). */
export function selectedInOrder<K>(sel: Selection<K>, order: readonly K[]): K[] {
  return order.filter((k) => sel.keys.has(k));
}

/** The key `delta` steps from `current` (clamped to the list); the first item when nothing is current. */
export function step<K>(order: readonly K[], current: K | null, delta: number): K | null {
  if (order.length === 0) return null;
  const i = current === null ? -1 : order.indexOf(current);
  if (i < 0) return delta >= 0 ? order[0]! : order[order.length - 1]!;
  return order[Math.max(0, Math.min(order.length - 1, i + delta))]!;
}

/** Where the open item stands: 1-based position and neighbours (null at either end). */
export function neighbours<K>(order: readonly K[], current: K): { position: number; prev: K | null; next: K | null } {
  const i = order.indexOf(current);
  if (i < 0) return { position: 0, prev: null, next: null };
  return { position: i + 1, prev: i > 0 ? order[i - 1]! : null, next: i < order.length - 1 ? order[i + 1]! : null };
}

/**
 * What to open after `removed` left the list while `current` was open: the first remaining item after
 * it (the next one down, as a mail client does), else the nearest one before it, else nothing.
 */
export function nextAfterRemoval<K>(order: readonly K[], current: K | null, removed: ReadonlySet<K>): K | null {
  if (current === null) return null;
  const i = order.indexOf(current);
  if (i < 0) return null;
  for (let j = i + 1; j < order.length; j++) if (!removed.has(order[j]!)) return order[j]!;
  for (let j = i - 1; j >= 0; j--) if (!removed.has(order[j]!)) return order[j]!;
  return null;
}

/** "3 messages" / "1 message": what a bulk action's label and result say. */
export function countLabel(n: number, noun = 'message'): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
