import { z } from 'zod';

/**
 * The vocabulary every message shape uses, written down once: states, priorities, deferral reasons,
 * delivery modes. The core's message model and the renderer both take theirs from here.
 */

/** The delivery outcome only: whether the application was told is a fact of its own (`reported_ts`). */
export const MESSAGE_STATES = ['queued', 'deferred', 'sending', 'sent', 'error'] as const;
export const messageState = z.enum(MESSAGE_STATES).meta({ id: 'MessageState' });
export type MessageState = z.infer<typeof messageState>;

/** genro-mail-proxy routes' `state` (GET /messages): a final message already reported shows `reported`, as before. */
export const CLASSIC_MESSAGE_STATES = [...MESSAGE_STATES, 'reported'] as const;
export const classicMessageState = z.enum(CLASSIC_MESSAGE_STATES).meta({ id: 'ClassicMessageState' });
export type ClassicMessageState = z.infer<typeof classicMessageState>;

/** A query's `reported` filter: `true` or `false` (any other text is refused, naming the field). */
export const reportedFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** States that still wait for delivery. */
export const PENDING_STATES: readonly MessageState[] = ['queued', 'deferred', 'sending'];
/** Final states, reported to the application. */
export const FINAL_STATES: readonly MessageState[] = ['sent', 'error'];

/** A timeline row's state after the event: a message state, or `deleted` for the row announcing its deletion. */
export const timelineState = z.enum([...MESSAGE_STATES, 'deleted']).meta({ id: 'TimelineState' });
export type TimelineState = z.infer<typeof timelineState>;

/** genro-mail-proxy priority labels and the integers they stand for (0 is the most urgent). */
export const PRIORITY_LABELS = { immediate: 0, high: 1, medium: 2, low: 3 } as const;
export type PriorityLabel = keyof typeof PRIORITY_LABELS;
export const priority = z.enum(PRIORITY_LABELS).meta({ id: 'Priority', description: '0 immediate, 1 high, 2 medium, 3 low' });
export type Priority = z.infer<typeof priority>;
export const priorityLabel = z.enum(Object.keys(PRIORITY_LABELS) as [PriorityLabel, ...PriorityLabel[]]);

export const DEFERRED_REASONS = ['scheduled', 'rate_limited', 'retry', 'account_backoff'] as const;
export const deferredReason = z.enum(DEFERRED_REASONS).meta({ id: 'DeferredReason' });
export type DeferredReason = z.infer<typeof deferredReason>;

export const DELIVERY_MODES = ['sandbox', 'real'] as const;
export const deliveryMode = z.enum(DELIVERY_MODES).meta({ id: 'DeliveryMode' });
export type DeliveryMode = z.infer<typeof deliveryMode>;

/** Message counts for every state (GET /api/stats, the `stats` frame). */
export const stateCounts = z.record(messageState, z.number().int().min(0)).meta({ id: 'StateCounts' });
