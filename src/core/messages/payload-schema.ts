import { z } from 'zod';

/** Wire schemas of the genro-mail-proxy classic protocol (MessagePayload, AccountPayload). */

const addressList = z.union([z.string(), z.array(z.string().nullable())]);
const optionalAddressList = addressList.nullish();
const intLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'Input should be a valid integer').transform(Number)]);

export const priorityInput = z.union([
  z.number().int(),
  z.string().regex(/^-?\d+$/).transform(Number),
  z
    .string()
    .refine((s) => ['immediate', 'high', 'medium', 'low'].includes(s.toLowerCase()), {
      message: "Input should be 'immediate', 'high', 'medium', 'low' or an integer",
    })
    .transform((s) => s.toLowerCase()),
]);

export const attachmentInput = z.object({
  filename: z.string().nullish(),
  content: z.string().nullish(),
  url: z.string().nullish(),
  s3: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).nullish(),
  content_type: z.string().nullish(),
  mime_type: z.string().nullish(),
  cid: z.string().nullish(),
});

export const messageInput = z.object({
  id: z.string(),
  account_id: z.string().nullish(),
  from: z.string(),
  to: addressList,
  cc: optionalAddressList,
  bcc: optionalAddressList,
  reply_to: z.string().nullish(),
  return_path: z.string().nullish(),
  subject: z.string(),
  body: z.string(),
  content_type: z.string().nullish(),
  headers: z.record(z.string(), z.unknown()).nullish(),
  message_id: z.string().nullish(),
  attachments: z.array(attachmentInput).nullish(),
  priority: priorityInput.nullish(),
  deferred_ts: intLike.nullish(),
});
export type MessageInput = z.infer<typeof messageInput>;

export const addMessagesInput = z.object({
  messages: z.array(messageInput),
  default_priority: priorityInput.nullish(),
});

export const deleteMessagesInput = z.object({
  ids: z.array(z.string().nullable()).default([]),
});

export const cleanupMessagesInput = z
  .object({ older_than_seconds: intLike.nullish() })
  .nullish()
  .transform((v) => v ?? {});

const optionalPositiveInt = intLike.nullish();

export const accountInput = z.object({
  id: z.string().min(1, 'must not be empty').max(200),
  host: z.string().min(1, 'must not be empty').max(255).regex(/^[^\s\r\n]+$/, 'must be a host name without spaces'),
  port: intLike.pipe(z.number().int().min(1).max(65535)),
  user: z.string().nullish(),
  password: z.string().nullish(),
  ttl: optionalPositiveInt,
  limit_per_minute: optionalPositiveInt,
  limit_per_hour: optionalPositiveInt,
  limit_per_day: optionalPositiveInt,
  limit_behavior: z
    .enum(['defer', 'error', 'reject'], { message: "Input should be 'defer' or 'error'" })
    .nullish(),
  use_tls: z.boolean().nullish(),
  batch_size: optionalPositiveInt,
  timeout: optionalPositiveInt,
  max_connections: optionalPositiveInt,
  fallbacks: z.array(z.string().min(1)).nullish(),
  weight: optionalPositiveInt,
  tenant_id: z.string().nullish(),
});
export type AccountInputBody = z.infer<typeof accountInput>;
