/**
 * What "delete" in the list's toolbar acts on: with a search, exactly the messages shown (by id, so a
 * mail arriving meanwhile is never swept along); without one, all captured mail. The count is what
 * the dialog promises.
 */
export type BulkDeletePlan =
  | { kind: 'all'; count: number }
  | { kind: 'shown'; ids: number[]; count: number; /** more match the search than are loaded */ more: boolean };

export function bulkDeletePlan(search: string, shownIds: readonly number[], total: number | null, hasMore: boolean): BulkDeletePlan {
  if (search.trim()) return { kind: 'shown', ids: [...shownIds], count: shownIds.length, more: hasMore };
  return { kind: 'all', count: Math.max(total ?? 0, shownIds.length) };
}

const messages = (n: number) => `${n} message${n === 1 ? '' : 's'}`;

/** The toolbar button, the dialog's title and its confirm button. */
export function bulkDeleteLabels(plan: BulkDeletePlan): { button: string; title: string; confirm: string } {
  if (plan.kind === 'all') {
    return { button: 'Delete all…', title: `Delete all ${messages(plan.count)}?`, confirm: `Delete all ${messages(plan.count)}` };
  }
  const these = plan.count === 1 ? 'this message' : `these ${messages(plan.count)}`;
  return { button: `Delete ${plan.count} shown…`, title: `Delete ${these}?`, confirm: `Delete ${these}` };
}
