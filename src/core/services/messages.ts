import type { MessageDetail as MessageDetailAnswer, MessageInput } from '../../shared/api/index.js';
import { nowSec, type Clock } from '../clock.js';
import { ClassicDetailError, conflict, notFound } from '../errors.js';
import type { RelayBus } from '../events.js';
import { normalisePriority, toPayload } from '../messages/normalise.js';
import type { MessageRecord, MessageSummary, Priority } from '../messages/types.js';
import { classicReason } from '../messages/validate.js';
import type { EnqueueResult, ListMessagesQuery, MessagesPort, Page } from '../store/ports.js';
import type { MessageIntake } from './intake.js';

export const MAX_ENQUEUE_BATCH = 1000;
/** the detail view shows at most this much of a body */
const DETAIL_BODY_CHARS = 64 * 1024;

export interface AddMessagesResult extends EnqueueResult {
  /** no message passed validation (genro-mail-proxy answers 400 "all messages rejected") */
  allRejected: boolean;
}

/** One message as the detail view shows it: the payload with its body cut short and attachments summarised. */
export type MessageDetail = MessageDetailAnswer['message'];

export interface MessagesService {
  /** genro-mail-proxy add-messages: each message validated, the valid ones queued in one transaction */
  add(messages: MessageInput[], defaultPriority?: number | string | null): Promise<AddMessagesResult>;
  /** genro-mail-proxy delete-messages: whatever their state; names the unknown ids */
  deleteMany(ids: (string | null)[]): Promise<{ removed: number; not_found: string[] }>;
  /** one message; 404 when unknown */
  delete(id: string): Promise<void>;
  /** genro-mail-proxy cleanup-messages: reported messages older than that (default: the retention) */
  cleanup(olderThanSeconds: number | null | undefined): Promise<number>;
  list(query: ListMessagesQuery): Promise<Page<MessageSummary>>;
  /** every message in dispatch order (genro-mail-proxy GET /messages) */
  listAll(activeOnly: boolean): Promise<MessageRecord[]>;
  detail(id: string): Promise<MessageDetailAnswer>;
  /** a failed or waiting message goes back to the queue now; 404 unknown, 409 queued, sending or sent */
  retry(id: string): Promise<MessageSummary>;
}

export interface MessagesServiceDeps {
  messages: MessagesPort;
  intake: MessageIntake;
  /** the reporter's retention (cleanup-messages) */
  cleanup: (olderThanSeconds: number | null | undefined) => Promise<number>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
  defaultPriority: Priority;
}

export function createMessagesService(deps: MessagesServiceDeps): MessagesService {
  const { messages, intake, clock } = deps;
  return {
    async add(input, defaultPriority) {
      if (input.length > MAX_ENQUEUE_BATCH) {
        throw new ClassicDetailError(400, { error: `Cannot enqueue more than ${MAX_ENQUEUE_BATCH} messages at once`, rejected: null });
      }
      const fallback = normalisePriority(defaultPriority, deps.defaultPriority);
      const payloads = input.map((m) => toPayload(m, fallback));
      const { issues, result } = await intake.admit(payloads, { accountRequired: true });
      const rejected: { id: string; reason: string }[] = [];
      payloads.forEach((p, i) => {
        const issue = issues[i];
        if (issue) rejected.push({ id: p.id, reason: classicReason(issue, p) });
      });
      if (rejected.length > 0 && rejected.length === payloads.length) return { queued: 0, rejected, allRejected: true };
      return { queued: result.queued, rejected: [...rejected, ...result.rejected], allRejected: false };
    },

    deleteMany(ids) {
      const unique = [...new Set(ids.filter((id): id is string => !!id))].sort();
      return messages.deleteMany(unique, nowSec(clock));
    },

    async delete(id) {
      const r = await messages.deleteMany([id], nowSec(clock));
      if (r.removed === 0) throw notFound('message', id);
    },

    cleanup: (olderThanSeconds) => deps.cleanup(olderThanSeconds),

    list: (query) => messages.list(query),

    listAll: (activeOnly) => messages.listAll({ activeOnly }),

    async detail(id) {
      const m = await messages.get(id);
      if (!m) throw notFound('message', id);
      return { message: detailView(m), timeline: await messages.timeline(m.id, m.account_id) };
    },

    async retry(id) {
      const r = await messages.retry(id, nowSec(clock));
      if (r.status === 'not_found') throw notFound('message', id);
      if (r.status === 'conflict') {
        if (r.state === 'reported' || r.state === 'sent') throw conflict(`message '${id}' was already sent`);
        throw conflict(`message '${id}' is ${r.state === 'sending' ? 'being sent' : 'already queued'}`);
      }
      deps.bus.emit('dispatch.wake');
      return r.message;
    },
  };
}

function detailView(m: MessageRecord): MessageDetail {
  const { payload, ...rest } = m;
  return {
    ...rest,
    payload: {
      ...payload,
      body_size: payload.body.length,
      body: payload.body.length > DETAIL_BODY_CHARS ? `${payload.body.slice(0, DETAIL_BODY_CHARS)}…` : payload.body,
      attachments: payload.attachments?.map((a) => ({
        filename: a.filename ?? null,
        source: a.s3 ? 's3' : a.url ? 'url' : 'content',
        ...(a.url ? { url: a.url } : {}),
        ...(a.s3 ? { s3: a.s3 } : {}),
        ...(a.content ? { size: Math.floor((a.content.length * 3) / 4) } : {}),
      })),
    },
  };
}
