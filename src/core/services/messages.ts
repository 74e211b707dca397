import type { AddMessagesEnvelope, MessageDetail as MessageDetailAnswer } from '../../shared/api/index.js';
import { nowSec, type Clock } from '../clock.js';
import { ClassicDetailError, conflict, notFound } from '../errors.js';
import type { RelayBus } from '../events.js';
import { parseClassicMessage } from '../messages/classic-message.js';
import { normalisePriority, toPayload } from '../messages/normalise.js';
import type { MessagePayload, MessageRecord, MessageSummary, Priority } from '../messages/types.js';
import { classicReason } from '../messages/validate.js';
import type { EnqueueResult, ListMessagesQuery, MessageKey, MessagesPort, Page } from '../store/ports.js';
import type { MessageIntake } from './intake.js';
import { scopeOf, type Principal } from './scope.js';

export const MAX_ENQUEUE_BATCH = 1000;
/** the detail view shows at most this much of a body */
const DETAIL_BODY_CHARS = 64 * 1024;

export interface AddMessagesResult extends EnqueueResult {
  /** every message was rejected (genro-mail-proxy answers 400, "all messages rejected") */
  allRejected: boolean;
}

/** add-messages: the body's envelope (messages still unparsed) and the `?tenant_id=` of the call. */
export type AddMessagesRequest = AddMessagesEnvelope & { tenant_id?: string };

/** One message as the detail view shows it: the payload with its body cut short and attachments summarised. */
export type MessageDetail = MessageDetailAnswer['message'];

export interface MessagesService {
  /**
   * genro-mail-proxy add-messages: each message parsed and validated on its own (a bad one is rejected
   * alone, with the reason), the valid ones queued in one transaction, each in its own tenant_id, else
   * the call's. A tenant token naming another tenant: 401, nothing queued.
   */
  add(caller: Principal, req: AddMessagesRequest): Promise<AddMessagesResult>;
  /** genro-mail-proxy delete-messages: the tenant's, whatever their state; names the unknown ids */
  deleteMany(caller: Principal, req: { ids: (string | null)[]; tenant_id?: string }): Promise<{ removed: number; not_found: string[] }>;
  /** one message; 404 when unknown */
  delete(key: MessageKey): Promise<void>;
  /** genro-mail-proxy cleanup-messages: the tenant's reported messages older than that (default: the retention) */
  cleanup(caller: Principal, req: { older_than_seconds?: number | null; tenant_id?: string }): Promise<number>;
  list(query: ListMessagesQuery): Promise<Page<MessageSummary>>;
  /** every message of the tenant in dispatch order (genro-mail-proxy GET /messages) */
  listAll(caller: Principal, req: { activeOnly: boolean; tenant_id?: string }): Promise<MessageRecord[]>;
  detail(key: MessageKey): Promise<MessageDetailAnswer>;
  /** a failed or waiting message goes back to the queue now; 404 unknown, 409 queued, sending or sent */
  retry(key: MessageKey): Promise<MessageSummary>;
}

export interface MessagesServiceDeps {
  messages: MessagesPort;
  intake: MessageIntake;
  /** the reporter's retention (cleanup-messages), for one tenant */
  cleanup: (olderThanSeconds: number | null | undefined, tenantId: string) => Promise<number>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
  defaultPriority: Priority;
}

type Rejection = { id: string; reason: string };

export function createMessagesService(deps: MessagesServiceDeps): MessagesService {
  const { messages, intake, clock } = deps;
  return {
    async add(caller, req) {
      if (req.messages.length > MAX_ENQUEUE_BATCH) {
        throw new ClassicDetailError(400, { error: `Cannot enqueue more than ${MAX_ENQUEUE_BATCH} messages at once`, rejected: null });
      }
      const callTenant = scopeOf(caller, req.tenant_id);
      const fallback = normalisePriority(req.default_priority, deps.defaultPriority);
      // per input message: its payload, or why it was rejected before validation
      const parsed: (MessagePayload | Rejection)[] = req.messages.map((raw) => {
        const r = parseClassicMessage(raw);
        if (!r.ok) return { id: r.id ?? '', reason: r.reason };
        const tenant = r.input.tenant_id ? scopeOf(caller, r.input.tenant_id) : callTenant;
        return toPayload(r.input, fallback, tenant);
      });
      const payloads = parsed.filter((p): p is MessagePayload => !('reason' in p));
      const { issues, result } = payloads.length > 0 ? await intake.admit(payloads, { accountRequired: true }) : { issues: [], result: { queued: 0, rejected: [] } };
      const reasons = new Map(payloads.map((p, i) => [p, issues[i]]));
      const rejected: Rejection[] = [];
      for (const p of parsed) {
        if ('reason' in p) rejected.push(p);
        else {
          const issue = reasons.get(p);
          if (issue) rejected.push({ id: p.id, reason: classicReason(issue, p) });
        }
      }
      if (rejected.length > 0 && rejected.length === parsed.length) return { queued: 0, rejected, allRejected: true };
      return { queued: result.queued, rejected: [...rejected, ...result.rejected], allRejected: false };
    },

    deleteMany(caller, req) {
      const unique = [...new Set(req.ids.filter((id): id is string => !!id))].sort();
      return messages.deleteMany(scopeOf(caller, req.tenant_id), unique, nowSec(clock));
    },

    async delete(key) {
      const r = await messages.deleteMany(key.tenant_id, [key.id], nowSec(clock));
      if (r.removed === 0) throw notFound('message', key.id);
    },

    cleanup: (caller, req) => deps.cleanup(req.older_than_seconds, scopeOf(caller, req.tenant_id)),

    list: (query) => messages.list(query),

    listAll: (caller, req) => messages.listAll({ tenantId: scopeOf(caller, req.tenant_id), activeOnly: req.activeOnly }),

    async detail(key) {
      const m = await messages.get(key);
      if (!m) throw notFound('message', key.id);
      return { message: detailView(m), timeline: await messages.timeline(key, m.account_id) };
    },

    async retry(key) {
      const r = await messages.retry(key, nowSec(clock));
      if (r.status === 'not_found') throw notFound('message', key.id);
      if (r.status === 'conflict') {
        if (r.state === 'sent') throw conflict(`message '${key.id}' was already sent`);
        throw conflict(`message '${key.id}' is ${r.state === 'sending' ? 'being sent' : 'already queued'}`);
      }
      deps.bus.emit('dispatch.wake');
      return r.message;
    },
  };
}

function detailView(m: MessageRecord): MessageDetail {
  const { payload, seq: _seq, ...rest } = m;
  return {
    ...rest,
    payload: {
      ...payload,
      body_size: payload.body.length,
      body: payload.body.length > DETAIL_BODY_CHARS ? `${payload.body.slice(0, DETAIL_BODY_CHARS)}…` : payload.body,
      attachments: payload.attachments?.map((a) => ({
        filename: a.filename ?? null,
        source: a.s3 ? 's3' : a.url ? 'url' : a.storage_path && !a.content ? 'endpoint' : 'content',
        ...(a.url ? { url: a.url } : {}),
        ...(a.s3 ? { s3: a.s3 } : {}),
        ...(a.storage_path ? { storage_path: a.storage_path } : {}),
        ...(a.content ? { size: Math.floor((a.content.length * 3) / 4) } : {}),
      })),
    },
  };
}
