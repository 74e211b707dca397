/**
 * _update_from_delivery_report and _defer_transient_error (mp_endpoint.py:172-302, reference §2.1
 * and §2.3): what one proxy_sync's delivery_report does to the outbox, and the transient retry rule.
 */
import type { OutboxMessage } from './model.js';
import type { Outbox } from './outbox.js';
import { pyInt, truthy } from './py.js';
import type { Storage } from './storage.js';

export const MAX_TRANSIENT_RETRIES = 5;
export const TRANSIENT_RETRY_DELAYS = [0, 300, 900, 3600, 7200] as const;
export const TRANSIENT_MARKER = 'Attachment fetch failed';

export type TransientDecision =
  | { kind: 'final'; why: 'not-transient' | 'attachment-missing' | 'attempts-exhausted' }
  | { kind: 'retry'; attempt: number; delaySeconds: number };

/** Whether a reported error re-queues the message, and after how long. */
export function decideTransient(error: unknown, previousAttempts: number, attachmentMissing: () => boolean): TransientDecision {
  if (typeof error !== 'string' || !error.includes(TRANSIENT_MARKER)) return { kind: 'final', why: 'not-transient' };
  if (attachmentMissing()) return { kind: 'final', why: 'attachment-missing' };
  if (previousAttempts >= MAX_TRANSIENT_RETRIES) return { kind: 'final', why: 'attempts-exhausted' };
  const attempt = previousAttempts + 1;
  return { kind: 'retry', attempt, delaySeconds: TRANSIENT_RETRY_DELAYS[Math.min(attempt - 1, TRANSIENT_RETRY_DELAYS.length - 1)] };
}

/** _has_missing_attachments: a storage error counts as "not missing", so the error stays transient. */
export function hasMissingAttachments(m: OutboxMessage, storage: Storage): boolean {
  for (const path of m.attachments) {
    try {
      if (!storage.hasNode(path) || !storage.exists(path)) return true;
    } catch {
      continue;
    }
  }
  return false;
}

/** The report part of the proxy_sync answer: only non-empty lists, `ok` only when none. */
export type ReportAnswer = { ok: true } | { error?: unknown[]; not_found?: unknown[] };

export interface ReportOutcome {
  answer: ReportAnswer;
  sent: string[];
  failed: string[];
  notFound: unknown[];
  /** re-queued by the transient rule */
  retried: string[];
  /** a retry inserted a queue row: Genropy's commit then calls run-now (inside the sync request) */
  queueInserted: boolean;
}

/** A body Genropy's code would crash on (it answers 500): not a list of objects with an id. */
export class ReportShapeError extends Error {}

export function applyDeliveryReport(outbox: Outbox, storage: Storage, report: unknown, nowSec: number): ReportOutcome {
  const outcome: ReportOutcome = { answer: { ok: true }, sent: [], failed: [], notFound: [], retried: [], queueInserted: false };
  if (!truthy(report)) return outcome;
  if (!Array.isArray(report)) throw new ReportShapeError('delivery_report is not a list');
  // {item['id']: item}: the last item of an id wins, in the position of its first appearance
  const byId = new Map<unknown, Record<string, unknown>>();
  for (const item of report) {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || !('id' in item)) {
      throw new ReportShapeError(`delivery_report item without id: ${JSON.stringify(item)}`);
    }
    byId.set((item as Record<string, unknown>).id, item as Record<string, unknown>);
  }
  for (const [id, item] of byId) {
    const m = typeof id === 'string' ? outbox.row(id) : undefined;
    if (!m) {
      outcome.notFound.push(id);
      continue;
    }
    if (truthy(item.sent_ts)) {
      const ts = pyInt(item.sent_ts);
      if (ts !== null) {
        Object.assign(m, { send_date: ts, deferred_ts: null, error_ts: null, error_msg: null });
        outcome.sent.push(m.id);
      }
    } else if (truthy(item.error_ts)) {
      const error = truthy(item.error) ? item.error : '';
      const decision = decideTransient(error, m.sending_attempt.length, () => hasMissingAttachments(m, storage));
      if (decision.kind === 'retry') {
        m.sending_attempt.push({ ts: nowSec, error: error as string });
        Object.assign(m, { deferred_ts: decision.delaySeconds ? nowSec + decision.delaySeconds : null, proxy_ts: null, error_ts: null, error_msg: null });
        outcome.retried.push(m.id);
        if (outbox.enqueue(m.id)) outcome.queueInserted = true;
        continue;
      }
      const ts = pyInt(item.error_ts);
      if (ts !== null) {
        Object.assign(m, { error_ts: ts, error_msg: item.error ?? null });
        outcome.failed.push(m.id);
      }
    }
  }
  if (outcome.failed.length || outcome.notFound.length) {
    const answer: { error?: unknown[]; not_found?: unknown[] } = {};
    if (outcome.failed.length) answer.error = [...outcome.failed];
    if (outcome.notFound.length) answer.not_found = [...outcome.notFound];
    outcome.answer = answer;
  }
  return outcome;
}
