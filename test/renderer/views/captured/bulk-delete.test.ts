import { describe, expect, it } from 'vitest';
import { bulkDeleteLabels, bulkDeletePlan } from '../../../../src/renderer/src/views/captured/bulk-delete.js';

describe('bulk delete of captured mail (#20.2)', () => {
  it('with a search, acts on exactly the messages shown and says how many', () => {
    const plan = bulkDeletePlan('invoice', [7, 3], 37, false);
    expect(plan).toEqual({ kind: 'shown', ids: [7, 3], count: 2, more: false });
    expect(bulkDeleteLabels(plan)).toEqual({ button: 'Delete 2 shown…', title: 'Delete these 2 messages?', confirm: 'Delete these 2 messages' });
    expect(bulkDeleteLabels(bulkDeletePlan('x', [4], 37, true))).toMatchObject({ title: 'Delete this message?', confirm: 'Delete this message' });
    expect(bulkDeletePlan('x', [4], 37, true)).toMatchObject({ more: true });
  });

  it('without a search, deletes everything and counts it', () => {
    expect(bulkDeletePlan('  ', [1, 2], 37, true)).toEqual({ kind: 'all', count: 37 });
    expect(bulkDeleteLabels(bulkDeletePlan('', [1], null, false))).toEqual({ button: 'Delete all…', title: 'Delete all 1 message?', confirm: 'Delete all 1 message' });
  });
});
