import type { MessageEvent, MessagePayload, MessageRecord, MessageState, MessageSummary } from '../../../src/core/messages/types.js';
import type {
  AccountInput,
  DeferOutcome,
  ErrorOutcome,
  NewCaptured,
  PendingReport,
  SentOutcome,
  Store,
  TransactionPorts,
} from '../../../src/core/store/ports.js';
import { accountWithDefaults, DEFAULT_TENANT, messageKey } from '../../../src/core/store/records.js';

/** A message of the default tenant (or of `tenantId`), as the ports name it. */
export const key = messageKey;

/** The store's key of a message (outcomes and leases name messages by it). */
export async function seqOf(ports: Pick<TransactionPorts, 'messages'>, id: string, tenantId: string = DEFAULT_TENANT): Promise<number> {
  const m = await ports.messages.get(messageKey(id, tenantId));
  if (!m) throw new Error(`seqOf: no message ${tenantId}/${id}`);
  return m.seq;
}

/** The suite's clock (epoch seconds); every port takes its time from the caller. */
export const NOW = 1_767_261_600;

export function payload(id: string, over: Partial<MessagePayload> = {}): MessagePayload {
  return { id, from: 'a@example.com', to: ['b@example.com'], subject: `subject ${id}`, body: 'body', content_type: 'plain', priority: 2, ...over };
}

export function account(id: string, over: Partial<AccountInput> = {}): AccountInput {
  return accountWithDefaults({ id, host: `smtp.${id}.example.com`, port: 587, ...over });
}

export function sentOutcome(seq: number, over: Partial<SentOutcome> = {}): SentOutcome {
  return {
    seq,
    tenant_id: DEFAULT_TENANT,
    account_id: null,
    via_account: null,
    sandbox: false,
    captured_id: null,
    smtp_message_id: null,
    recipients: null,
    detail: {},
    ...over,
  };
}

export function errorOutcome(seq: number, over: Partial<ErrorOutcome> = {}): ErrorOutcome {
  return { seq, account_id: null, error: 'refused (SMTP 550)', detail: {}, ...over };
}

export function deferOutcome(seq: number, until: number, over: Partial<DeferOutcome> = {}): DeferOutcome {
  return { seq, account_id: null, until, reason: 'retry', detail: {}, ...over };
}

/** A captured message as the sink would store it, received at NOW + i, indexed unless `search_text` is left out. */
export function capturedMail(i: number, over: Partial<NewCaptured> = {}): NewCaptured {
  return {
    received_ts: NOW + i,
    mail_from: `bounce${i}@sender.example`,
    rcpt_to: [`rcpt${i}@dest.example`],
    from: `Sender ${i} <sender${i}@sender.example>`,
    to: [`to${i}@dest.example`],
    cc: [],
    subject: `captured ${i}`,
    date_ts: null,
    size: 100 + i,
    attachments: 0,
    mailbox: null,
    message_id: `<${i}@sender.example>`,
    preview: `preview ${i}`,
    remote_address: '127.0.0.1',
    helo: 'localhost',
    tls: false,
    search_text: `plain body ${i}`,
    ...over,
  };
}

export function rawOf(i: number): Buffer {
  return Buffer.from(`Subject: captured ${i}\r\n\r\nplain body ${i}\r\n`);
}

/** The summary lists show of a message: the record without payload and delivery details. */
export function summaryOf(m: MessageRecord): MessageSummary {
  const { seq: _seq, payload: _p, lease_until: _l, first_attempt_ts: _f, smtp_message_id: _s, captured_id: _c, source_captured_id: _sc, recipients: _r, ...summary } = m;
  return summary;
}

/** The report of a message's current outcome, as the reporter would have read it. */
export function reportOf(m: MessageRecord): PendingReport {
  return {
    tenant_id: m.tenant_id,
    seq: m.seq,
    item: {
      id: m.id,
      account_id: m.account_id,
      priority: m.priority,
      sent_ts: m.sent_ts,
      error_ts: m.error_ts,
      error: m.error,
      deferred_ts: m.deferred_ts,
      ...(m.sandbox ? { sandbox: true as const } : {}),
    },
  };
}

/** Where a message can stand: its state, with the paths that lead there told apart. */
export const SITUATIONS = ['queued', 'scheduled', 'deferred', 'sending', 'sent', 'error', 'reported-sent', 'reported-error'] as const;
export type Situation = (typeof SITUATIONS)[number];

/** The state a message stands in: a reported message keeps its outcome. */
export function stateIn(s: Situation): MessageState {
  if (s === 'scheduled') return 'deferred';
  if (s === 'reported-sent') return 'sent';
  if (s === 'reported-error') return 'error';
  return s;
}

/** The application acknowledged the message's outcome (its reported_ts is set). */
export function reportedIn(s: Situation): boolean {
  return s === 'reported-sent' || s === 'reported-error';
}

/** The message was delivered (its sent_ts is set). */
export function deliveredIn(s: Situation): boolean {
  return s === 'sent' || s === 'reported-sent';
}

/** the moments `reach` uses: enqueue at NOW, claim at NOW + 1 (lease until NOW + 61), outcome at NOW + 2, report at NOW + 3 */
export const REACH = { leaseUntil: NOW + 61, deferredUntil: NOW + 50, scheduledAt: NOW + 50 } as const;

/**
 * Enqueues a new message and brings it to `s` through the ports; resolves to its seq. It claims the
 * head of the queue, so no other message may be queued then. `over.tenant_id` puts it in a tenant.
 */
export async function reach(ports: TransactionPorts, id: string, s: Situation, over: Partial<MessagePayload> = {}): Promise<number> {
  const scheduled = s === 'scheduled' ? { deferred_ts: REACH.scheduledAt } : {};
  const accepted = await ports.messages.enqueue([payload(id, { ...over, ...scheduled })], NOW);
  if (accepted.queued !== 1) throw new Error(`reach: ${id} was not accepted (${JSON.stringify(accepted.rejected)})`);
  const tenantId = over.tenant_id ?? DEFAULT_TENANT;
  const seq = await seqOf(ports, id, tenantId);
  if (s === 'queued' || s === 'scheduled') return seq;
  const claimed = await ports.dispatch.claim({ now: NOW + 1, leaseUntil: REACH.leaseUntil, limit: 1000 });
  if (claimed.length !== 1 || claimed[0].seq !== seq) throw new Error(`reach: claimed ${claimed.map((c) => c.id).join(',')}, not ${id}`);
  const account_id = over.account_id ?? null;
  if (s === 'sending') return seq;
  if (s === 'deferred') {
    await ports.dispatch.defer([deferOutcome(seq, REACH.deferredUntil, { account_id, started_ts: NOW + 1 })], NOW + 2);
    return seq;
  }
  if (s === 'sent' || s === 'reported-sent') await ports.dispatch.markSent([sentOutcome(seq, { tenant_id: tenantId, account_id, started_ts: NOW + 1 })], NOW + 2);
  else await ports.dispatch.markError([errorOutcome(seq, { account_id, started_ts: NOW + 1 })], NOW + 2);
  if (s === 'sent' || s === 'error') return seq;
  const m = await ports.messages.get(messageKey(id, tenantId));
  if (!m || (await ports.reports.markReported([reportOf(m)], NOW + 3)) !== 1) throw new Error(`reach: ${id} was not reported`);
  return seq;
}

/** Delivers one message through `account` (of `tenantId`) at each of the given moments (send-log rows); claims the whole queue. */
export async function sendVia(store: Store, account: string, times: number[], tenantId: string = DEFAULT_TENANT): Promise<void> {
  for (const [i, ts] of times.entries()) {
    const id = `${account}-send-${i}`;
    await store.messages.enqueue([payload(id, { account_id: account, ...(tenantId ? { tenant_id: tenantId } : {}) })], ts);
    await store.dispatch.claim({ now: ts, leaseUntil: ts + 60, limit: 1000 });
    const seq = await seqOf(store, id, tenantId);
    await store.dispatch.markSent([sentOutcome(seq, { tenant_id: tenantId, account_id: account, via_account: account, started_ts: ts })], ts);
  }
}

/** A timeline row without its sequence number (backend-assigned). */
export function withoutSeq({ seq: _seq, ...rest }: MessageEvent): Omit<MessageEvent, 'seq'> {
  return rest;
}
