/**
 * The message model shared by the queue, delivery, reporting and the API. Its shapes are the API
 * contracts of src/shared/api (zod schemas, types derived with z.infer). All timestamps are epoch seconds.
 */

export {
  MESSAGE_STATES,
  PENDING_STATES,
  FINAL_STATES,
  PRIORITY_LABELS,
  type MessageState,
  type Priority,
  type PriorityLabel,
  type DeferredReason,
} from '../../shared/api/states.js';

export type {
  /** an attachment as stored: content (base64), url or s3 */
  AttachmentSpec,
  /** a message as the application handed it to us, normalised (genro-mail-proxy MessagePayload) */
  MessagePayload,
  /** summary row used by lists: never the payload */
  MessageSummary,
  RecipientResult,
  /** a full message: summary plus payload and delivery details */
  MessageRecord,
  /** one row of a message's timeline; `state` is the message's state after the event, or 'deleted' */
  MessageEvent,
} from '../../shared/api/messages.js';
