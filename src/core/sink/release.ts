import type { MessagePayload, MessageState, Priority } from '../messages/types.js';
import type { CapturedSummary } from '../store/ports.js';

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
 * The queue entry that delivers a captured message for real: enqueued with `source_captured_id`, the
 * raw bytes go out as they are, so the subject is for display (kept on one line). The sender is the
 * captured MAIL FROM, or its From header for a null sender ('' when there is neither).
 */
export function releasePayload(captured: CapturedSummary, req: ReleaseRequest, id: string): MessagePayload {
  const payload: MessagePayload = {
    id,
    account_id: req.account_id,
    from: captured.mail_from || bareAddress(captured.from),
    to: req.to?.length ? req.to : captured.rcpt_to,
    subject: captured.subject.replace(/[\r\n]+/g, ' '),
    body: '',
    content_type: 'plain',
    priority: req.priority ?? DEFAULT_RELEASE_PRIORITY,
  };
  if (captured.message_id) payload.message_id = captured.message_id;
  return payload;
}
