import crypto from 'node:crypto';
import type { RelayContext } from '../context.js';
import { RelayError, conflict, notFound } from '../errors.js';
import type { QueueService } from '../messages/queue-service.js';
import type { MessagePayload, MessageState, Priority } from '../messages/types.js';

export interface ReleaseRequest {
  account_id: string;
  /** recipients to deliver to instead of the captured envelope's */
  to?: string[];
  priority?: Priority;
}

export interface ReleaseResult {
  id: string;
  state: MessageState;
  captured_id: number;
  account_id: string;
  to: string[];
}

/** priority of a released message unless the request names one: a person is waiting for it */
const DEFAULT_RELEASE_PRIORITY: Priority = 1;

function bareAddress(display: string): string {
  const m = /<([^<>]+)>\s*$/.exec(display);
  return (m ? m[1] : display).trim();
}

/**
 * Queues a captured message for real delivery through the normal pipeline, whatever the delivery
 * mode. The queue entry carries `source_captured_id`: the dispatcher sends the captured raw bytes
 * as they are (envelope from the captured MAIL FROM, or its From header for a null sender).
 */
export function releaseCaptured(
  deps: { ctx: RelayContext; queue: QueueService },
  capturedId: number,
  req: ReleaseRequest,
): ReleaseResult {
  const { store } = deps.ctx;
  const captured = store.captured.get(capturedId);
  if (!captured) throw notFound('captured message', String(capturedId));
  if (!store.accounts.exists(req.account_id)) throw notFound('account', req.account_id);
  const from = captured.mail_from || bareAddress(captured.from);
  if (!from) throw new RelayError(422, 'no_sender', 'the captured message has neither an envelope sender nor a From address');
  const to = req.to?.length ? req.to : captured.rcpt_to;
  const payload: MessagePayload = {
    id: `release-${capturedId}-${crypto.randomUUID()}`,
    account_id: req.account_id,
    from,
    to,
    subject: captured.subject,
    body: '',
    content_type: 'plain',
    priority: req.priority ?? DEFAULT_RELEASE_PRIORITY,
  };
  if (captured.message_id) payload.message_id = captured.message_id;
  const result = deps.queue.enqueue([payload], { source_captured_id: capturedId });
  if (result.queued !== 1) throw conflict(`release refused: ${result.rejected[0]?.reason ?? 'not queued'}`);
  return { id: payload.id, state: store.messages.get(payload.id)?.state ?? 'queued', captured_id: capturedId, account_id: req.account_id, to };
}
