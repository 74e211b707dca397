import { describe, expect, it } from 'vitest';
import { activateBatches, heldWork, isHeld, suspendBatches } from '../../../src/core/tenants/suspension.js';

describe('suspension decisions (v0.6.10 §3.6)', () => {
  it('suspend: no batch holds everything; a batch joins the sorted list once; nothing changes under *', () => {
    expect(suspendBatches([], null)).toEqual(['*']);
    expect(suspendBatches(['b'], null)).toEqual(['*']);
    expect(suspendBatches([], 'b')).toEqual(['b']);
    expect(suspendBatches(['c', 'a'], 'b')).toEqual(['a', 'b', 'c']);
    expect(suspendBatches(['b'], 'b')).toEqual(['b']);
    expect(suspendBatches(['*'], 'b')).toEqual(['*']);
  });

  it('activate: no batch clears everything; a batch leaves the list; one batch under * is refused', () => {
    expect(activateBatches(['*'], null)).toEqual({ ok: true, batches: [] });
    expect(activateBatches(['a', 'b'], null)).toEqual({ ok: true, batches: [] });
    expect(activateBatches(['a', 'b'], 'a')).toEqual({ ok: true, batches: ['b'] });
    expect(activateBatches(['a'], 'zz')).toEqual({ ok: true, batches: ['a'] });
    expect(activateBatches(['*'], 'a')).toEqual({ ok: false, reason: 'full_suspension' });
  });

  it('holds a batch it names, everything under *, and messages without a batch only under *', () => {
    expect(isHeld(['b'], 'b')).toBe(true);
    expect(isHeld(['b'], 'c')).toBe(false);
    expect(isHeld(['b'], null)).toBe(false);
    expect(isHeld(['*'], null)).toBe(true);
    expect(isHeld(['*'], 'c')).toBe(true);
    expect(isHeld([], null)).toBe(false);
  });

  it('turns the tenants\' suspensions into what claims must leave (undefined: nothing)', () => {
    expect(heldWork([])).toBeUndefined();
    expect(heldWork([{ id: 'a', suspended_batches: [] }])).toBeUndefined();
    expect(
      heldWork([
        { id: 'a', suspended_batches: ['*'] },
        { id: 'b', suspended_batches: ['x', 'y'] },
        { id: 'c', suspended_batches: [] },
      ]),
    ).toEqual({ tenants: ['a'], batches: [{ tenant_id: 'b', batch_code: 'x' }, { tenant_id: 'b', batch_code: 'y' }] });
  });
});
