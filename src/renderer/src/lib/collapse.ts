/**
 * A long list shown as its first few items and "+N more" (fifty recipients would push a mail's body
 * below the fold). A list at most one longer than `limit` is shown whole: "+1 more" saves nothing.
 */
export type Collapsed<T> = { shown: readonly T[]; hidden: number };

export function collapseList<T>(items: readonly T[], limit: number): Collapsed<T> {
  if (items.length <= limit + 1) return { shown: items, hidden: 0 };
  return { shown: items.slice(0, limit), hidden: items.length - limit };
}

