import { describe, expect, it } from 'vitest';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, deferOutcome, errorOutcome, reach, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** DispatchPort outcomes decide item by item, in order, even where a backend writes the batch at once. */
export function outcomeBatchContract(factory: StoreFactory): void {
  describe('dispatch: one outcome batch naming a lease twice', () => {
    const s = useStore(factory);

    it('error and defer: the first outcome of a seq wins, the second changes nothing; rows announced in the batch order', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await reach(s.store, id, 'sending');
      const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((id) => seqOf(s.store, id)));
      s.forget();
      await s.store.dispatch.markError([errorOutcome(b, { error: 'first' }), errorOutcome(a, { error: 'a' }), errorOutcome(b, { error: 'second' })], NOW + 5);
      expect(await s.store.messages.get(key('b'))).toMatchObject({ state: 'error', error: 'first' });
      await s.store.dispatch.defer([deferOutcome(d, NOW + 60), deferOutcome(c, NOW + 30, { retry_count: 2 }), deferOutcome(d, NOW + 90, { reason: 'rate_limited' })], NOW + 6);
      expect(await s.store.messages.get(key('d'))).toMatchObject({ state: 'deferred', deferred_ts: NOW + 60, deferred_reason: 'retry' });
      expect(await s.store.messages.get(key('c'))).toMatchObject({ state: 'deferred', deferred_ts: NOW + 30, retry_count: 2 });
      expect(announcedRows(s.announced)).toEqual(['b:error:error', 'a:error:error', 'd:deferred:deferred', 'c:deferred:deferred']);
      expect((await s.store.messages.timeline(key('b'), null)).filter((e) => e.type === 'error').map((e) => e.detail)).toEqual([{ error: 'first' }]);
    });
  });
}
