import { FINAL_STATES, type ClassicMessageState, type MessageState } from '../../shared/api/states.js';

/**
 * The `state` genro-mail-proxy routes show: the outcome, or `reported` once the application was told,
 * as they answered before the report became a fact of its own (Genropy clients may compare it).
 */
export function classicState(m: { state: MessageState; reported_ts: number | null }): ClassicMessageState {
  return m.reported_ts !== null && FINAL_STATES.includes(m.state) ? 'reported' : m.state;
}
