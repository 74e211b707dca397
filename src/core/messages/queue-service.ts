import { nowSec } from '../clock.js';
import type { RelayContext } from '../context.js';
import { ClassicDetailError } from '../errors.js';
import type { EnqueueResult } from '../store/ports.js';
import { normalisePriority, rejectionReason, toPayload } from './normalise.js';
import type { MessageInput } from './payload-schema.js';
import type { MessagePayload, Priority } from './types.js';

export const MAX_ENQUEUE_BATCH = 1000;

export interface AddMessagesResult extends EnqueueResult {
  /** no message passed validation (genro-mail-proxy answers 400 "all messages rejected") */
  allRejected: boolean;
}

/** Accepting work: validation in the original's order, then one transaction per batch. */
export class QueueService {
  constructor(private readonly ctx: RelayContext) {}

  addMessages(messages: MessageInput[], defaultPriority?: number | string | null): AddMessagesResult {
    if (messages.length > MAX_ENQUEUE_BATCH) {
      throw new ClassicDetailError(400, {
        error: `Cannot enqueue more than ${MAX_ENQUEUE_BATCH} messages at once`,
        rejected: null,
      });
    }
    const fallback = normalisePriority(defaultPriority, this.ctx.config.defaultPriority as Priority);
    const accounts = this.ctx.store.accounts;
    const rejected: { id: string; reason: string }[] = [];
    const valid: MessagePayload[] = [];
    for (const m of messages) {
      const reason = rejectionReason(m, (id) => accounts.exists(id), false);
      if (reason) rejected.push({ id: m.id, reason });
      else valid.push(toPayload(m, fallback));
    }
    if (valid.length === 0 && rejected.length > 0) return { queued: 0, rejected, allRejected: true };
    const result = this.enqueue(valid);
    return { queued: result.queued, rejected: [...rejected, ...result.rejected], allRejected: false };
  }

  /** Stores already validated payloads and wakes dispatch. */
  enqueue(payloads: MessagePayload[], opts: { source_captured_id?: number } = {}): EnqueueResult {
    if (payloads.length === 0) return { queued: 0, rejected: [] };
    const result = this.ctx.store.messages.enqueueBatch(payloads, nowSec(this.ctx.clock), opts);
    if (result.queued > 0) this.ctx.bus.emit('dispatch.wake');
    return result;
  }

  deleteMessages(ids: (string | null)[]): { removed: number; not_found: string[] } {
    const unique = [...new Set(ids.filter((id): id is string => !!id))].sort();
    return this.ctx.store.messages.deleteMany(unique, nowSec(this.ctx.clock));
  }
}
