import { MESSAGE_STATES, type MessageState } from './types.js';

/**
 * The message state machine, written down once: every transition the store makes, the states it is
 * allowed from and the state it leads to. Store guards (`WHERE state IN (...)`) derive from this table;
 * the store contract suite checks that the store does exactly what it says.
 */

/** Where a transition may start: a state, or `new` (no message with that id yet). */
export type Origin = MessageState | 'new';
/**
 * Where a transition leads: a state, `deleted` (the message and its timeline are gone), or
 * `unchanged` (it records a fact, the report, and the message keeps its outcome).
 */
export type Target = MessageState | 'deleted' | 'unchanged';

export interface TransitionRule {
  readonly from: readonly Origin[];
  readonly to: Target;
  /** enqueue and replace of a message scheduled for later (deferred_ts ahead) lead here instead */
  readonly scheduledTo?: MessageState;
  /** refused for a message that was delivered (sent_ts set) */
  readonly undeliveredOnly?: boolean;
  /** refused for a message whose outcome was already reported (reported_ts set) */
  readonly unreportedOnly?: boolean;
  /** the type of the timeline row it writes, one per message (`deleted` is announced, kept nowhere) */
  readonly events: readonly string[];
}

const ANY: readonly MessageState[] = MESSAGE_STATES;

export const TRANSITIONS = {
  enqueue: { from: ['new'], to: 'queued', scheduledTo: 'deferred', events: ['queued'] },
  /** the same id sent again: a fresh message in the old one's queue position */
  replace: {
    from: ['queued', 'deferred', 'error'],
    to: 'queued',
    scheduledTo: 'deferred',
    undeliveredOnly: true,
    events: ['replaced'],
  },
  // a claim writes no timeline row: the attempt that follows does
  claim: { from: ['queued'], to: 'sending', events: [] },
  promote: { from: ['deferred'], to: 'queued', events: ['due'] },
  sent: { from: ['sending'], to: 'sent', events: ['sent'] },
  fail: { from: ['sending'], to: 'error', events: ['error'] },
  defer: { from: ['sending'], to: 'deferred', events: ['deferred', 'rate_limited'] },
  /** a lease given back on purpose (send abandoned or held) */
  release: { from: ['sending'], to: 'queued', events: ['lease_expired'] },
  expire: { from: ['sending'], to: 'queued', events: ['lease_expired'] },
  /** the application acknowledged the outcome: reported_ts is set, the outcome stays what it was */
  report: { from: ['sent', 'error'], to: 'unchanged', unreportedOnly: true, events: ['reported'] },
  /** a failure, reported or not: a new attempt whose final outcome is reported again */
  retry: { from: ['error', 'deferred'], to: 'queued', undeliveredOnly: true, events: ['retry'] },
  delete: { from: ANY, to: 'deleted', events: ['deleted'] },
  /**
   * Retention, silent: final messages once their report is old enough, and final ones never
   * reported when no application is configured (each sweep adds its own reported_ts condition).
   */
  purge: { from: ['sent', 'error'], to: 'deleted', events: [] },
} as const satisfies Record<string, TransitionRule>;

export type Transition = keyof typeof TRANSITIONS;
export const TRANSITION_NAMES = Object.keys(TRANSITIONS) as Transition[];

function rule(t: Transition): TransitionRule {
  return TRANSITIONS[t];
}

/** The states `t` may start from (for `replace` and `retry`: only while undelivered). */
export function allowedFrom(t: Transition): readonly Origin[] {
  return rule(t).from;
}

/** The state `t` leads to; enqueue and replace of a message scheduled for later lead to `deferred`; `report`: `unchanged`. */
export function targetOf(t: Transition, opts: { scheduled?: boolean } = {}): Target {
  const r = rule(t);
  return opts.scheduled && r.scheduledTo ? r.scheduledTo : r.to;
}

/** What besides its state a transition looks at: sent_ts (`delivered`) and reported_ts (`reported`) set. */
export interface MessageFacts {
  delivered?: boolean;
  reported?: boolean;
}

/** Whether `t` may take a message out of `from` (or, for `report`, mark it where it stands). */
export function canTransition(t: Transition, from: Origin, opts: MessageFacts = {}): boolean {
  const r = rule(t);
  if (r.undeliveredOnly && opts.delivered) return false;
  if (r.unreportedOnly && opts.reported) return false;
  return r.from.includes(from);
}

/** Every transition allowed out of `from`, in table order. */
export function transitionsFrom(from: Origin, opts: MessageFacts = {}): Transition[] {
  return TRANSITION_NAMES.filter((t) => canTransition(t, from, opts));
}

export type EnqueueDecision =
  | { kind: 'insert'; state: MessageState }
  | { kind: 'replace'; state: MessageState }
  | { kind: 'refuse'; reason: 'already sent' | 'already sending' };

/** What enqueueing an id does, given the message already stored under it (null: none). */
export function decideEnqueue(
  existing: { state: MessageState; delivered: boolean } | null,
  scheduled: boolean,
): EnqueueDecision {
  if (existing === null) {
    const { to, scheduledTo } = TRANSITIONS.enqueue;
    return { kind: 'insert', state: scheduled ? scheduledTo : to };
  }
  if (canTransition('replace', existing.state, { delivered: existing.delivered })) {
    const { to, scheduledTo } = TRANSITIONS.replace;
    return { kind: 'replace', state: scheduled ? scheduledTo : to };
  }
  // sending is the one undelivered state replace is not allowed from
  return { kind: 'refuse', reason: existing.delivered ? 'already sent' : 'already sending' };
}
