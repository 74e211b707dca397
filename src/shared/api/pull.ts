import { z } from 'zod';
import { addMessagesEnvelope } from './classic.js';

/**
 * Pull mode (`[client] fetch_url`): the wire of genro-mail-proxy's legacy Fetcher, which polled
 * `GET <fetch_url>/fetch-messages` and posted each outcome to `POST <fetch_url>/delivery-report`,
 * plus one addition: `POST <fetch_url>/fetch-ack` after the fetched batch is committed.
 */

/** `GET <fetch_url>/fetch-messages`: `{"messages": [...]}`, each an add-messages message (parsed one by one). */
export const fetchMessagesAnswer = addMessagesEnvelope.pick({ messages: true });
export type FetchMessagesAnswer = z.infer<typeof fetchMessagesAnswer>;

/**
 * `POST <fetch_url>/fetch-ack`, sent once the batch is committed: `accepted` are in the relay's queue
 * (now, or already: a message served twice is not queued twice), `rejected` will never be sent.
 * An application answering 404 or 405 takes no acks (the legacy protocol had none).
 */
export const fetchAck = z.object({
  ok: z.literal(true),
  queued: z.number().int().nonnegative(),
  accepted: z.array(z.string()),
  rejected: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type FetchAck = z.infer<typeof fetchAck>;

export const pullReportStatus = z.enum(['sent', 'error']);

/** `POST <fetch_url>/delivery-report`: one final outcome per POST (the legacy Fetcher's event). */
export const pullDeliveryReport = z.object({
  id: z.string(),
  status: pullReportStatus,
  /** ISO-8601 UTC time of the outcome */
  timestamp: z.string(),
  error: z.string().optional(),
  account: z.string().optional(),
  /** the numeric timestamps of the proxy_sync item, for applications that read those */
  sent_ts: z.number().int().nullable(),
  error_ts: z.number().int().nullable(),
  /** delivered to the sandbox sink, not to the recipient */
  sandbox: z.literal(true).optional(),
});
export type PullDeliveryReport = z.infer<typeof pullDeliveryReport>;
