import { describe, expect, it } from 'vitest';
import { collapseList } from '../../../src/renderer/src/lib/collapse.js';

describe('collapseList', () => {
  const fifty = Array.from({ length: 50 }, (_, i) => `user${i}@example.com`);

  it('shows the first few of a long list and counts the rest', () => {
    const c = collapseList(fifty, 3);
    expect(c.shown).toEqual(['user0@example.com', 'user1@example.com', 'user2@example.com']);
    expect(c.hidden).toBe(47);
  });

  it('shows a short list whole, and never says "+1 more"', () => {
    expect(collapseList(fifty.slice(0, 3), 3)).toEqual({ shown: fifty.slice(0, 3), hidden: 0 });
    expect(collapseList(fifty.slice(0, 4), 3)).toEqual({ shown: fifty.slice(0, 4), hidden: 0 });
    expect(collapseList(fifty.slice(0, 5), 3).hidden).toBe(2);
    expect(collapseList([], 3)).toEqual({ shown: [], hidden: 0 });
  });
});
