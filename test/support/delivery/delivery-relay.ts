import { ManualClock, nowSec } from '../../../src/core/clock.js';
import type { MessageEvent, MessagePayload, MessageRecord, MessageState } from '../../../src/core/messages/types.js';
import { accountWithDefaults, type AccountInput } from '../../../src/core/store/records.js';
import { startTestRelay, type ConfigPatch, type TestRelay } from '../relay/test-relay.js';
import { waitFor } from '../common/wait.js';
import { messageKey as key } from '../../../src/core/store/records.js';

export interface DeliveryFixture {
  t: TestRelay;
  clock: ManualClock;
  addAccount(a: Partial<AccountInput> & { id: string; host: string; port: number }): Promise<void>;
  /** queues messages (sender, recipient, subject and body filled in) and wakes the dispatcher */
  enqueue(msgs: (Partial<MessagePayload> & { id: string })[], opts?: { source_captured_id?: number }): Promise<void>;
  msg(id: string): Promise<MessageRecord>;
  /** the message's timeline, oldest first */
  timeline(id: string): Promise<MessageEvent[]>;
  waitState(id: string, state: MessageState, timeoutMs?: number): Promise<MessageRecord>;
  /** moves the clock and wakes the dispatcher */
  advance(seconds: number): void;
  /** resolves once the engine has handled every wake so far: what it did not do by then, it did not do */
  settle(): Promise<void>;
  /** clock seconds at which the engine's timer next wakes it (rounded up), or null */
  nextWake(): number | null;
  now(): number;
  stop(): Promise<void>;
}

export const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

/** A message payload with the fields a test does not care about filled in. */
export function payload(m: Partial<MessagePayload> & { id: string }): MessagePayload {
  return {
    from: 'sender@example.com',
    to: ['rcpt@example.com'],
    subject: `subject ${m.id}`,
    body: `body of ${m.id}`,
    content_type: 'plain',
    priority: 2,
    ...m,
  };
}

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
  const store = relay.store;
  const fixture: DeliveryFixture = {
    t,
    clock,
    async addAccount(a) {
      await store.accounts.upsert(accountWithDefaults({ use_tls: false, ...a }), nowSec(clock));
    },
    async enqueue(msgs, opts) {
      const r = await store.messages.enqueue(msgs.map(payload), nowSec(clock), opts);
      if (r.rejected.length) throw new Error(`rejected: ${JSON.stringify(r.rejected)}`);
      relay.dispatcher.wake();
    },
    async msg(id) {
      const m = await store.messages.get(key(id));
      if (!m) throw new Error(`no message ${id}`);
      return m;
    },
    timeline: (id) => store.messages.timeline(key(id), null),
    waitState(id, state, timeoutMs) {
      return waitFor(
        async () => {
          const m = await store.messages.get(key(id));
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
    settle: () => relay.dispatcher.pumpIdle(),
    nextWake: () => {
      const ms = relay.dispatcher.nextWakeMs();
      return ms === null ? null : Math.ceil(ms / 1000);
    },
    stop: () => t.stop(),
  };
  return fixture;
}

/** The timeline event types of a message, in order. */
export async function eventTypes(f: DeliveryFixture, id: string): Promise<string[]> {
  return (await f.timeline(id)).map((e) => e.type);
}

/** The details of a message's timeline rows of one type, in order. */
export async function timelineDetail(f: DeliveryFixture, id: string, type: string): Promise<Record<string, unknown>[]> {
  return (await f.timeline(id)).filter((e) => e.type === type).map((e) => e.detail ?? {});
}
