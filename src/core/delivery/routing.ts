import type { Account } from '../store/ports.js';

/**
 * The accounts a message may go out through, in the order they are tried (see docs/routing.md).
 * - Without weights: the message's account, then its `fallbacks` in the order listed.
 * - When the message's account has a `weight`: the first account is drawn among the account and its
 *   fallbacks in proportion to their weights (a fallback without weight only serves as failover);
 *   the others follow in their usual order for failover.
 * Fallbacks are one level deep (a fallback's own fallbacks are not followed); unknown ids are skipped.
 */
export function routeOrder(
  primary: Account,
  lookup: (id: string) => Account | null,
  random: () => number = Math.random,
): Account[] {
  const group: Account[] = [primary];
  for (const id of primary.fallbacks ?? []) {
    if (group.some((a) => a.id === id)) continue;
    const acc = lookup(id);
    if (acc) group.push(acc);
  }
  if (group.length === 1 || primary.weight === null || primary.weight === undefined) return group;

  const weighted = group.filter((a) => (a.weight ?? 0) > 0);
  const total = weighted.reduce((s, a) => s + (a.weight ?? 0), 0);
  if (total <= 0) return group;
  let r = random() * total;
  let first = weighted[weighted.length - 1];
  for (const a of weighted) {
    r -= a.weight ?? 0;
    if (r < 0) {
      first = a;
      break;
    }
  }
  return [first, ...group.filter((a) => a !== first)];
}
