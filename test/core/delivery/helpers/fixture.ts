import { ManualClock, nowSec } from '../../../../src/core/clock.js';
import type { MessagePayload, MessageRecord, MessageState } from '../../../../src/core/messages/types.js';
import { accountWithDefaults, type AccountInput } from '../../../../src/core/store/records.js';
import { startTestRelay, type ConfigPatch, type TestRelay } from '../../../helpers/relay.js';
import { waitFor } from './smtp-target.js';

export interface DeliveryFixture {
  t: TestRelay;
  clock: ManualClock;
  addAccount(a: Partial<AccountInput> & { id: string; host: string; port: number }): void;
  enqueue(msgs: (Partial<MessagePayload> & { id: string })[]): void;
  msg(id: string): MessageRecord;
  waitState(id: string, state: MessageState, timeoutMs?: number): Promise<MessageRecord>;
  /** moves the clock and wakes the dispatcher */
  advance(seconds: number): void;
  now(): number;
  stop(): Promise<void>;
}

export const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

/** A full relay in real delivery mode on a manual clock, with quick retry settings. */
export async function startDeliveryRelay(patch: ConfigPatch = {}, dataDir?: string): Promise<DeliveryFixture> {
  const clock = new ManualClock(T0);
  const t = await startTestRelay(
    {
      deliveryMode: 'real',
      ...patch,
      delivery: { retryJitter: 0, retryDelays: [60, 300], connectTimeoutMs: 3000, sendTimeoutMs: 8000, ...patch.delivery },
    },
    { clock, ...(dataDir ? { dataDir } : {}) },
  );
  const { relay } = t;
  const fixture: DeliveryFixture = {
    t,
    clock,
    addAccount(a) {
      relay.store.legacy.accounts.upsert(accountWithDefaults({ use_tls: false, ...a }), nowSec(clock));
    },
    enqueue(msgs) {
      const r = relay.store.legacy.messages.enqueueBatch(
        msgs.map((m) => ({
          from: 'sender@example.com',
          to: ['rcpt@example.com'],
          subject: `subject ${m.id}`,
          body: `body of ${m.id}`,
          content_type: 'plain',
          priority: 2,
          ...m,
        })),
        nowSec(clock),
      );
      if (r.rejected.length) throw new Error(`rejected: ${JSON.stringify(r.rejected)}`);
      relay.dispatcher.wake();
    },
    msg(id) {
      const m = relay.store.legacy.messages.get(id);
      if (!m) throw new Error(`no message ${id}`);
      return m;
    },
    waitState(id, state, timeoutMs) {
      return waitFor(
        () => {
          const m = relay.store.legacy.messages.get(id);
          return m && m.state === state ? m : null;
        },
        `${id} to be ${state}`,
        timeoutMs,
      );
    },
    advance(seconds) {
      clock.advance(seconds);
      relay.dispatcher.wake();
    },
    now: () => nowSec(clock),
    stop: () => t.stop(),
  };
  return fixture;
}

/** The timeline event types of a message, in order. */
export function eventTypes(f: DeliveryFixture, id: string): string[] {
  return f.t.relay.store.legacy.messages.timeline(id, null).map((e) => e.type);
}
