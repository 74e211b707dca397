import type { FetchAck, PullDeliveryReport } from '../../shared/api/pull.js';
import type { DeliveryReportItem } from '../store/ports.js';

/**
 * Pure decisions of pull mode: when to poll next, what an acknowledgement answer means, which fetched
 * ids the relay now holds, and the legacy delivery-report event of a final outcome.
 */

export interface PullTiming {
  /** wait after a fetch that emptied the application's outbox */
  idleMs: number;
  /** first wait after a failure; doubled at each further failure up to `backoffMaxMs` */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** a wake (run-now, a commit) polls this soon, so a burst of wakes costs one poll */
  wakeDebounceMs: number;
}

export const DEFAULT_PULL_TIMING: PullTiming = { idleMs: 5_000, backoffBaseMs: 1_000, backoffMaxMs: 300_000, wakeDebounceMs: 100 };

export type CycleResult = { kind: 'fetched'; count: number; limit: number } | { kind: 'failed'; failures: number };

export type NextPoll = { kind: 'now' } | { kind: 'idle'; ms: number } | { kind: 'backoff'; ms: number };

/** A full batch: more may wait, poll at once. A short one: wait. A failure: exponential backoff. */
export function nextPoll(result: CycleResult, timing: PullTiming): NextPoll {
  if (result.kind === 'failed') return { kind: 'backoff', ms: backoffMs(result.failures, timing) };
  if (result.count >= result.limit) return { kind: 'now' };
  return { kind: 'idle', ms: timing.idleMs };
}

export function backoffMs(failures: number, timing: PullTiming): number {
  const exponent = Math.min(Math.max(0, failures - 1), 30);
  return Math.min(timing.backoffMaxMs, timing.backoffBaseMs * 2 ** exponent);
}

export type AckVerdict = { kind: 'acked' } | { kind: 'unsupported' } | { kind: 'retry'; reason: string };

/**
 * The answer to `POST /fetch-ack` (status null: no answer). 404/405/501: a legacy application without
 * acks, which must serve each message once; anything else unanswered is retried before the next fetch.
 */
export function ackVerdict(status: number | null, problem: string): AckVerdict {
  if (status !== null && status >= 200 && status <= 299) return { kind: 'acked' };
  if (status === 404 || status === 405 || status === 501) return { kind: 'unsupported' };
  return { kind: 'retry', reason: problem };
}

/** the store already holds these ids: the application must not serve them again, nor count them failed */
const HELD = new Set(['already sent', 'already sending']);

/** What to acknowledge for a fetched batch, from the ids served and the add-messages result. */
export function fetchAckOf(servedIds: readonly string[], result: { queued: number; rejected: readonly { id: string; reason: string }[] }): FetchAck {
  const refused = new Map<string, string>();
  for (const r of result.rejected) if (r.id && !HELD.has(r.reason)) refused.set(r.id, r.reason);
  const accepted = [...new Set(servedIds.filter((id) => id && !refused.has(id)))];
  return { ok: true, queued: result.queued, accepted, rejected: [...refused].map(([id, reason]) => ({ id, reason })) };
}

/** The id of a served message, when it has one (a message without one is rejected by add-messages). */
export function servedId(raw: unknown): string {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : '';
}

/** The legacy Fetcher's delivery-report event of a final outcome; null for anything else. */
export function pullReport(item: DeliveryReportItem): PullDeliveryReport | null {
  const ts = item.sent_ts ?? item.error_ts;
  if (ts === null) return null;
  const report: PullDeliveryReport = {
    id: item.id,
    status: item.sent_ts !== null ? 'sent' : 'error',
    timestamp: new Date(ts * 1000).toISOString(),
    sent_ts: item.sent_ts,
    error_ts: item.sent_ts !== null ? null : item.error_ts,
  };
  if (report.status === 'error' && item.error) report.error = item.error;
  if (item.account_id) report.account = item.account_id;
  if (item.sandbox) report.sandbox = true;
  return report;
}
