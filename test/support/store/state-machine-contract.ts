import { describe, expect, it } from 'vitest';
import {
  TRANSITION_NAMES,
  TRANSITIONS,
  canTransition,
  targetOf,
  type Transition,
} from '../../../src/core/messages/state-machine.js';
import type { Store } from '../../../src/core/store/ports.js';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, SITUATIONS, deferOutcome, deliveredIn, errorOutcome, payload, reach, reportOf, reportedIn, sentOutcome, stateIn } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** when every operation runs: deferred messages are due and leases have expired by then (see REACH) */
const LATER = NOW + 100;

/** the seq of the message, or one no message has (an unknown id) */
const seqOrNone = async (store: Store, id: string) => (await store.messages.get(key(id)))?.seq ?? 1_000_000_000;

/** Each transition as the ports perform it on message `id` (the whole-queue ones take every candidate). */
const OPERATIONS: Record<Transition, (store: Store, id: string) => Promise<unknown>> = {
  enqueue: (store, id) => store.messages.enqueue([payload(id, { subject: 'again' })], LATER),
  replace: (store, id) => store.messages.enqueue([payload(id, { subject: 'again' })], LATER),
  claim: (store) => store.dispatch.claim({ now: LATER, leaseUntil: LATER + 60, limit: 100 }),
  promote: (store) => store.dispatch.promoteDue(LATER),
  sent: async (store, id) => store.dispatch.markSent([sentOutcome(await seqOrNone(store, id), { started_ts: LATER })], LATER),
  fail: async (store, id) => store.dispatch.markError([errorOutcome(await seqOrNone(store, id), { started_ts: LATER })], LATER),
  defer: async (store, id) => store.dispatch.defer([deferOutcome(await seqOrNone(store, id), LATER + 50, { started_ts: LATER })], LATER),
  release: async (store, id) => store.dispatch.releaseLeases([await seqOrNone(store, id)], LATER, 'held'),
  expire: (store) => store.dispatch.releaseExpiredLeases(LATER, LATER),
  report: async (store, id) => {
    const m = await store.messages.get(key(id));
    // the report of whatever outcome the message shows, as if one had been read for it
    await store.reports.markReported(m ? [reportOf(m)] : [], LATER);
  },
  retry: (store, id) => store.messages.retry(key(id), LATER),
  delete: (store, id) => store.messages.deleteMany('', [id], LATER),
  purge: async (store) => {
    await store.messages.purgeReported(LATER + 1);
    await store.reports.purgeFinalUnreported('', LATER + 1, 100);
  },
};

/** The store against messages/state-machine.ts: for every state, what moves a message out of it and what does not. */
export function stateMachineContract(factory: StoreFactory): void {
  describe('the message state machine, as the store applies it', () => {
    const s = useStore(factory);

    for (const situation of SITUATIONS) {
      const from = stateIn(situation);
      const delivered = deliveredIn(situation);
      const reported = reportedIn(situation);
      for (const t of TRANSITION_NAMES.filter((name) => name !== 'enqueue')) {
        const allowed = canTransition(t, from, { delivered, reported });
        const target = targetOf(t);
        // a transition that records a fact (the report) leaves the message in its state
        const to = target === 'unchanged' ? from : target;
        it(`${t} from ${situation}: ${allowed ? `leads to ${to}` : 'leaves the message untouched'}`, async () => {
          await reach(s.store, 'm', situation);
          const before = await s.store.messages.get(key('m'));
          const rows = await s.store.messages.timeline(key('m'), null);
          s.forget();
          await OPERATIONS[t](s.store, 'm');
          const after = await s.store.messages.get(key('m'));
          const timeline = await s.store.messages.timeline(key('m'), null);
          if (!allowed) {
            expect(after).toEqual(before);
            expect(timeline).toEqual(rows);
            expect(s.announced.messages).toEqual([]);
            return;
          }
          const events: readonly string[] = TRANSITIONS[t].events;
          const announced = announcedRows(s.announced);
          expect(announced.length).toBe(events.length > 0 ? 1 : 0);
          if (to === 'deleted') {
            expect(after).toBeNull();
            expect(timeline).toEqual([]);
            if (announced.length > 0) expect(announced[0]).toBe(`m:${events[0]}:deleted`);
            return;
          }
          expect(after?.state).toBe(to);
          expect(after?.updated_ts).toBe(LATER);
          expect(timeline.slice(0, rows.length)).toEqual(rows);
          const added = timeline.slice(rows.length).map((e) => `${e.message_id}:${e.type}:${e.state}`);
          expect(added).toEqual(announced);
          for (const row of added) expect(events.map((type) => `m:${type}:${to}`)).toContain(row);
        });
      }
    }

    // the same id enqueued again is a replace; an id never seen, an enqueue
    for (const t of TRANSITION_NAMES.filter((name) => name !== 'replace')) {
      const creates = canTransition(t, 'new');
      it(`${t} of an unknown id: ${creates ? `creates it ${targetOf(t)}` : 'creates nothing'}`, async () => {
        await OPERATIONS[t](s.store, 'ghost');
        const m = await s.store.messages.get(key('ghost'));
        if (!creates) {
          expect(m).toBeNull();
          expect(await s.store.messages.timeline(key('ghost'), null)).toEqual([]);
          expect(s.announced.messages).toEqual([]);
          return;
        }
        expect(m?.state).toBe(targetOf(t));
        expect(announcedRows(s.announced)).toEqual(TRANSITIONS[t].events.map((type) => `ghost:${type}:${targetOf(t)}`));
      });
    }
  });
}
