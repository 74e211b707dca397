import { describe, expect, it } from 'vitest';
import { routeOrder } from '../../../src/core/delivery/routing.js';
import { account } from '../../support/delivery/records.js';

describe('routing', () => {
  const accounts = new Map(
    [
      account('a', { fallbacks: ['b', 'c', 'missing', 'a'] }),
      account('b', { weight: 3 }),
      account('c'),
      account('w', { weight: 1, fallbacks: ['b', 'c'] }),
    ].map((x) => [x.id, x]),
  );
  const lookup = (id: string) => accounts.get(id) ?? null;

  it('without weights: the account, then its fallbacks in order (unknown and repeated ids skipped)', () => {
    expect(routeOrder(accounts.get('a')!, lookup).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });

  it('with weights: the first account is drawn by weight, the rest follow for failover', () => {
    const w = accounts.get('w')!;
    // weights: w=1, b=3, c=none (failover only): total 4
    expect(routeOrder(w, lookup, () => 0.1).map((x) => x.id)).toEqual(['w', 'b', 'c']);
    expect(routeOrder(w, lookup, () => 0.5).map((x) => x.id)).toEqual(['b', 'w', 'c']);
    const counts: Record<string, number> = { w: 0, b: 0 };
    for (let i = 0; i < 400; i++) counts[routeOrder(w, lookup, () => i / 400)[0].id]++;
    expect(counts).toEqual({ w: 100, b: 300 });
  });
});
