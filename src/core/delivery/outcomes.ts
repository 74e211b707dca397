import { bounceOfReply } from '../sink/bounces/bounce-reply.js';
import { errorMessage } from '../errors.js';
import type { AttemptOutcome } from '../events.js';
import type { RecipientResult } from '../messages/types.js';
import type { ClaimedMessage, DeferOutcome, ErrorOutcome, SentOutcome } from '../store/ports.js';
import { AttachmentError } from './attachments.js';
import type { Delivery } from './delivery.js';
import { MessageBuildError } from './message-builder.js';
import { decideRetry, type RetrySettings } from './retry-policy.js';
import { classifySmtpError, type FailureClass } from './smtp-errors.js';
import type { SentInfo } from './transports.js';

/**
 * Pure builders of what a delivery (or a claim-time decision) records: the store's outcome rows and
 * the `attempt` announcement; and what an SMTP failure means for the send.
 */

/** Why a claimed message goes back to the queue unsent. */
export type ReleaseReason = 'shutdown' | 'held' | 'account_backoff' | 'paused';
export const RELEASE_REASONS: readonly ReleaseReason[] = ['shutdown', 'held', 'account_backoff', 'paused'];

export type Outcome =
  | { kind: 'sent'; sent: SentOutcome; attempt: AttemptOutcome }
  | { kind: 'error'; error: ErrorOutcome; attempt: AttemptOutcome }
  | { kind: 'deferred'; defer: DeferOutcome; attempt: AttemptOutcome }
  | { kind: 'released'; reason: ReleaseReason };

/** sent or failed for good: the application gets a delivery report */
export function isFinal(o: Outcome): boolean {
  return o.kind === 'sent' || o.kind === 'error';
}

export function released(reason: ReleaseReason): Outcome {
  return { kind: 'released', reason };
}

const CAPTURED_ID = /captured as (\d+)/i;

function viaOf(d: Delivery): string | null {
  return d.target.kind === 'account' ? d.target.via.id : null;
}

function startedTsOf(d: Delivery): number | null {
  return d.phase.name === 'sending' ? d.phase.startedTs : null;
}

function failoverOf(d: Delivery): { failover?: { account: string; error: string }[] } {
  return d.target.kind === 'account' && d.target.failover.length ? { failover: d.target.failover } : {};
}

function attemptSeconds(d: Delivery, now: number): number {
  return Math.max(0, now - d.claimedAt);
}

/** Per-recipient results when the server refused some recipients (null when it took them all). */
export function recipientResults(info: Pick<SentInfo, 'accepted' | 'rejected' | 'rejectedErrors'>): RecipientResult[] | null {
  if (!info.rejected?.length) return null;
  const errors = (info.rejectedErrors ?? []) as { recipient?: string; responseCode?: number; response?: string }[];
  return [
    ...(info.accepted ?? []).map((a) => ({ address: String(a), accepted: true })),
    ...info.rejected.map((address) => {
      const e = errors.find((r) => r.recipient === address);
      return {
        address: String(address),
        accepted: false,
        ...(e?.responseCode ? { code: e.responseCode } : {}),
        ...(e?.response ? { response: e.response } : {}),
      };
    }),
  ];
}

/** The server accepted the message (the sandbox sink says which captured message it became). */
export function sentOutcome(d: Delivery, info: SentInfo, now: number): Outcome {
  const sandbox = d.target.kind === 'sandbox';
  // the sink's emulated hard bounce (#18.3): reported as a provider's bounce would be
  const bounced = sandbox ? bounceOfReply(info.response) : null;
  if (bounced) {
    const text = `${bounced.diagnostic} (SMTP ${bounced.code}, bounced: ${bounced.recipient}, status ${bounced.status})`;
    return errorOutcome(d, { kind: 'permanent', scope: 'message', code: bounced.code, text }, 'permanent', now);
  }
  const match = sandbox ? CAPTURED_ID.exec(info.response ?? '') : null;
  const capturedId = match ? Number(match[1]) : null;
  const recipients = recipientResults(info);
  const via = viaOf(d);
  return {
    kind: 'sent',
    sent: {
      seq: d.row.seq,
      tenant_id: d.row.tenant_id,
      account_id: d.row.account_id,
      via_account: via,
      sandbox,
      captured_id: capturedId,
      smtp_message_id: info.messageId ?? null,
      recipients,
      started_ts: startedTsOf(d),
      detail: {
        ...(via ? { account: via } : {}),
        response: info.response,
        ...(recipients ? { rejected: recipients.filter((r) => !r.accepted) } : {}),
        ...failoverOf(d),
      },
    },
    attempt: {
      message_id: d.row.id,
      account_id: via ?? d.row.account_id,
      outcome: 'sent',
      latency_seconds: Math.max(0, now - d.row.created_ts),
      attempt_seconds: attemptSeconds(d, now),
      sandbox,
    },
  };
}

/** The message failed for good after an attempt (or while it was built). */
export function errorOutcome(d: Delivery, failure: FailureClass, outcome: AttemptOutcome['outcome'], now: number, text = failure.text): Outcome {
  const sandbox = d.target.kind === 'sandbox';
  const via = viaOf(d);
  return {
    kind: 'error',
    error: {
      seq: d.row.seq,
      account_id: d.row.account_id,
      error: text,
      recipients: failure.recipients ?? null,
      started_ts: startedTsOf(d),
      detail: {
        ...(via ? { account: via } : { sandbox }),
        ...(failure.code ? { code: failure.code } : {}),
        ...(failure.recipients ? { recipients: failure.recipients } : {}),
        ...failoverOf(d),
      },
    },
    attempt: {
      message_id: d.row.id,
      account_id: via ?? d.row.account_id,
      outcome,
      latency_seconds: Math.max(0, now - d.row.created_ts),
      attempt_seconds: attemptSeconds(d, now),
      ...(failure.code ? { code: failure.code } : {}),
      sandbox,
    },
  };
}

/**
 * Why a message could not be built (attachments, headers, a captured source gone): temporary only for
 * an attachment whose source may answer later (a 5xx, a timeout, a refused connection).
 */
export function buildFailureOf(err: unknown): FailureClass {
  const text =
    err instanceof AttachmentError || err instanceof MessageBuildError ? err.message : `Message could not be built: ${errorMessage(err)}`;
  return { kind: err instanceof AttachmentError && err.temporary ? 'temporary' : 'permanent', scope: 'message', text };
}

/** The message could not be built: it fails for good. */
export function buildFailure(d: Delivery, err: unknown, now: number): Outcome {
  return errorOutcome(d, { ...buildFailureOf(err), kind: 'permanent' }, 'build_error', now);
}

/**
 * A temporary failure: retried on the schedule (after the account's backoff when the connection
 * failed), or failed when the retries or the lifetime are used up.
 */
export function temporaryOutcome(
  d: Delivery,
  failure: FailureClass,
  now: number,
  retry: RetrySettings,
  random: () => number,
  accountBackoffUntil: number | null,
): Outcome {
  const firstAttemptTs = d.row.first_attempt_ts ?? d.claimedAt;
  const decision = decideRetry(retry, { retryCount: d.row.retry_count, firstAttemptTs, now, text: failure.text }, random);
  if (decision.action === 'fail') return errorOutcome(d, failure, 'temporary', now, decision.error);
  const sandbox = d.target.kind === 'sandbox';
  const via = viaOf(d);
  const connection = via !== null && failure.scope === 'connection';
  const until = connection ? Math.max(decision.until, accountBackoffUntil ?? decision.until) : decision.until;
  return {
    kind: 'deferred',
    defer: {
      seq: d.row.seq,
      account_id: d.row.account_id,
      until,
      reason: connection ? 'account_backoff' : 'retry',
      retry_count: decision.retry_count,
      started_ts: startedTsOf(d),
      detail: {
        error: failure.text,
        ...(failure.code ? { code: failure.code } : {}),
        ...(via ? { account: via } : { sandbox }),
        ...failoverOf(d),
      },
    },
    attempt: {
      message_id: d.row.id,
      account_id: via ?? d.row.account_id,
      outcome: 'temporary',
      attempt_seconds: attemptSeconds(d, now),
      ...(failure.code ? { code: failure.code } : {}),
      sandbox,
      deferred: true,
    },
  };
}

// ---- claim-time outcomes (no attempt was made) ---------------------------------------------------

export function claimFailure(
  row: ClaimedMessage,
  accountId: string | null,
  error: string,
  outcome: AttemptOutcome['outcome'],
  now: number,
): { error: ErrorOutcome; attempt: AttemptOutcome } {
  return {
    error: { seq: row.seq, account_id: row.account_id, error, detail: accountId ? { account: accountId } : {} },
    attempt: { message_id: row.id, account_id: accountId ?? row.account_id, outcome, latency_seconds: Math.max(0, now - row.created_ts) },
  };
}

export function rateLimitDeferral(
  row: ClaimedMessage,
  accountId: string,
  until: number,
  window: string,
  limit: number,
): { defer: DeferOutcome; attempt: AttemptOutcome } {
  return {
    defer: { seq: row.seq, account_id: row.account_id, until, reason: 'rate_limited', detail: { account: accountId, window, limit } },
    attempt: { message_id: row.id, account_id: accountId, outcome: 'rate_limited', deferred: true },
  };
}

export function backoffDeferral(row: ClaimedMessage, accountId: string, until: number, error: string): DeferOutcome {
  return { seq: row.seq, account_id: row.account_id, until, reason: 'account_backoff', detail: { account: accountId, error } };
}

// ---- what an SMTP failure means ----------------------------------------------------------------

/** The failure of an attempt; `timeoutMs` when the send timeout aborted it. */
export function failureOf(err: unknown, timeoutMs: number | null): FailureClass {
  if (timeoutMs !== null) return { kind: 'temporary', scope: 'message', text: `No answer from the server within ${timeoutMs} ms` };
  return classifySmtpError(err);
}

export type FailureStep =
  /** the server closed a used connection: once more at once, on a new one */
  | { kind: 'reconnect' }
  /** the attempt is over: back the account off first?, try the next account of the route? */
  | { kind: 'end'; backOff: boolean; failover: boolean; permanent: boolean };

export function afterFailure(failure: FailureClass, d: { sandbox: boolean; reconnected: boolean }): FailureStep {
  if (!d.sandbox && failure.retryNow && !d.reconnected) return { kind: 'reconnect' };
  return {
    kind: 'end',
    backOff: !d.sandbox && failure.scope === 'connection',
    failover: !d.sandbox && failure.kind === 'temporary',
    permanent: failure.kind === 'permanent',
  };
}
