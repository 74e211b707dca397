import { TRANSITIONS, targetOf, type Transition, type TransitionRule } from '../../messages/state-machine.js';
import type { MessageState } from '../../messages/types.js';

/**
 * The SQL of the message state machine (messages/state-machine.ts): every statement that moves a
 * message takes its `WHERE` guard and the state it writes from here, never from a hand-written list.
 */

const literal = (state: MessageState): string => `'${state}'`;

/**
 * `state = 's'` or `state IN ('a','b')`, in the given order: the exact text of the partial indexes'
 * own conditions, so that the planner can use them (an INDEXED BY they no longer match fails to prepare).
 */
export function statesGuard(states: readonly MessageState[], column = 'state'): string {
  if (states.length === 0) throw new Error('a state guard needs at least one state');
  return states.length === 1 ? `${column} = ${literal(states[0])}` : `${column} IN (${states.map(literal).join(',')})`;
}

/** The states of a messages row `t` may start from (`new` is no row at all). */
export function statesFrom(t: Transition): MessageState[] {
  return TRANSITIONS[t].from.filter((s): s is MessageState => s !== 'new');
}

/**
 * The WHERE guard of transition `t` on a messages row: the states it may start from, and, when only
 * undelivered (unreported) messages may take it, `sent_ts IS NULL` (`reported_ts IS NULL`).
 * `alias`: the table's alias in the statement.
 */
export function guardOf(t: Transition, alias = ''): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  const rule: TransitionRule = TRANSITIONS[t];
  const terms = [statesGuard(statesFrom(t), col('state'))];
  if (rule.undeliveredOnly) terms.push(`${col('sent_ts')} IS NULL`);
  if (rule.unreportedOnly) terms.push(reportedGuard(false, alias));
  return terms.join(' AND ');
}

/** Whether the outcome was reported: the exact text of the messages_unreported / messages_reported index conditions. */
export function reportedGuard(reported: boolean, alias = ''): string {
  return `${alias ? `${alias}.` : ''}reported_ts IS ${reported ? 'NOT NULL' : 'NULL'}`;
}

/**
 * The guard of `t` narrowed to some of its states and, if given, to reported (or unreported)
 * messages: retention's sweeps each take part of `purge`.
 */
export function guardWithin(t: Transition, states: readonly MessageState[], reported?: boolean): string {
  const allowed = statesFrom(t);
  const within = states.filter((s) => allowed.includes(s));
  if (within.length !== states.length) throw new Error(`${t} is not allowed from ${states.join(', ')}`);
  return reported === undefined ? statesGuard(within) : `${statesGuard(within)} AND ${reportedGuard(reported)}`;
}

/** The state `t` writes, as an SQL literal (enqueue and replace of a scheduled message: `scheduled`). */
export function stateWritten(t: Transition, opts: { scheduled?: boolean } = {}): string {
  return literal(targetState(t, opts));
}

/** The state `t` writes, as a value (for rows written with parameters and for timeline rows). */
export function targetState(t: Transition, opts: { scheduled?: boolean } = {}): MessageState {
  const to = targetOf(t, opts);
  if (to === 'deleted') throw new Error(`${t} deletes the message: it writes no state`);
  if (to === 'unchanged') throw new Error(`${t} keeps the message's state: it writes none`);
  return to;
}
