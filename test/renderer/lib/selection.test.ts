import { describe, expect, it } from 'vitest';
import {
  countLabel,
  emptySelection,
  neighbours,
  nextAfterRemoval,
  pick,
  pickModeOf,
  prune,
  selectedInOrder,
  step,
  type Selection,
} from '../../../src/renderer/src/lib/selection.js';

const order = ['a', 'b', 'c', 'd', 'e'];
const keys = (s: Selection<string>) => selectedInOrder(s, order);

describe('pick (multi-selection)', () => {
  it('reads the click: shift is a range, ctrl or cmd a toggle, a plain click none', () => {
    expect(pickModeOf({ shiftKey: true, ctrlKey: false, metaKey: false })).toBe('range');
    expect(pickModeOf({ shiftKey: false, ctrlKey: true, metaKey: false })).toBe('toggle');
    expect(pickModeOf({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe('toggle');
    expect(pickModeOf({ shiftKey: false, ctrlKey: false, metaKey: false })).toBeNull();
  });

  it('toggles one row and moves the anchor there', () => {
    let s = pick(emptySelection<string>(), order, 'b', 'toggle');
    s = pick(s, order, 'd', 'toggle');
    expect(keys(s)).toEqual(['b', 'd']);
    expect(s.anchor).toBe('d');
    s = pick(s, order, 'b', 'toggle');
    expect(keys(s)).toEqual(['d']);
  });

  it('picks a range from the anchor in either direction, adding to what was picked', () => {
    let s = pick(emptySelection<string>(), order, 'b', 'toggle');
    s = pick(s, order, 'd', 'range');
    expect(keys(s)).toEqual(['b', 'c', 'd']);
    expect(s.anchor).toBe('b');
    s = pick(pick(emptySelection<string>(), order, 'e', 'toggle'), order, 'c', 'range');
    expect(keys(s)).toEqual(['c', 'd', 'e']);
    // no anchor yet: the range is the row itself
    expect(keys(pick(emptySelection<string>(), order, 'c', 'range'))).toEqual(['c']);
    // a key that is not in the list changes nothing
    expect(pick(s, order, 'zz', 'range')).toBe(s);
  });

  it('only: one row', () => {
    expect(keys(pick(pick(emptySelection<string>(), order, 'a', 'toggle'), order, 'c', 'only'))).toEqual(['c']);
  });

  it('prunes rows that left the list, keeping the same object when none did', () => {
    const s = pick(pick(emptySelection<string>(), order, 'b', 'toggle'), order, 'd', 'toggle');
    expect(prune(s, order)).toBe(s);
    const pruned = prune(s, ['a', 'b', 'c']);
    expect([...pruned.keys]).toEqual(['b']);
    expect(pruned.anchor).toBeNull();
    expect(prune(emptySelection<string>(), [])).toBe(emptySelection<string>());
  });
});

describe('triage moves', () => {
  it('steps through the list, clamped at both ends', () => {
    expect(step(order, 'b', 1)).toBe('c');
    expect(step(order, 'b', -1)).toBe('a');
    expect(step(order, 'a', -1)).toBe('a');
    expect(step(order, 'e', 1)).toBe('e');
    expect(step(order, null, 1)).toBe('a');
    expect(step(order, null, -1)).toBe('e');
    expect(step([], null, 1)).toBeNull();
  });

  it('knows the open item’s position and neighbours', () => {
    expect(neighbours(order, 'a')).toEqual({ position: 1, prev: null, next: 'b' });
    expect(neighbours(order, 'c')).toEqual({ position: 3, prev: 'b', next: 'd' });
    expect(neighbours(order, 'e')).toEqual({ position: 5, prev: 'd', next: null });
    expect(neighbours(order, 'zz')).toEqual({ position: 0, prev: null, next: null });
  });

  it('opens the next item down after a delete, else the one above, else nothing', () => {
    expect(nextAfterRemoval(order, 'b', new Set(['b']))).toBe('c');
    expect(nextAfterRemoval(order, 'b', new Set(['b', 'c', 'd']))).toBe('e');
    expect(nextAfterRemoval(order, 'e', new Set(['e']))).toBe('d');
    expect(nextAfterRemoval(order, 'c', new Set(['c', 'd', 'e', 'b']))).toBe('a');
    expect(nextAfterRemoval(['a'], 'a', new Set(['a']))).toBeNull();
    expect(nextAfterRemoval(order, null, new Set(['a']))).toBeNull();
    expect(nextAfterRemoval(order, 'zz', new Set(['a']))).toBeNull();
  });

  it('says how many', () => {
    expect(countLabel(1)).toBe('1 message');
    expect(countLabel(3)).toBe('3 messages');
    expect(countLabel(0, 'mail')).toBe('0 mails');
  });
});
